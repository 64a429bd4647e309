import Table from 'cli-table3';

/** A compact cli-table3 table: no rule between rows, colour only when enabled. */
export function makeTable(head: string[], color: boolean): InstanceType<typeof Table> {
  return new Table({
    head,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1 },
  });
}
