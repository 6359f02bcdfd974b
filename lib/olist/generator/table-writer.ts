/**
 * Writes one table's rows and weaves in its planned dirt, keeping the books the manifest needs: which
 * rows are dirty and how, and what must come out of silver.
 *
 * A caller hands over "logical" rows — rows that survive to silver. Before writing one, the writer may
 * alter it in place (an optional value that will not cast); after writing it, the writer may schedule an
 * extra row derived from it (a duplicate, a corrected version, a broken copy), emitted a few hundred rows
 * later so that duplicates are not conveniently adjacent. Each logical row is the source of at most one
 * planned row, which keeps every expectation a simple count.
 */
import { KeystoneError } from '../../errors';
import type { TableContract } from '../contract-types';
import { formatCsvRecord } from '../csv';
import { QUARANTINE_REASONS, type QuarantineReason } from '../silver-rules';
import type { CsvFileSink } from './csv-sink';
import { DirtLog, type DirtRecord, type FormatRecord, type RealisticKind } from './dirt';
import type { TablePlan } from './plan';
import type { Rng } from './prng';
import type { Recipe } from './recipes';
import { RowPicker } from './sampling';

export interface RowTag {
  kind: RealisticKind;
  column: string | null;
}

/** What must come out of silver for one table (see silver-rules.ts for the rules). */
export interface TableExpectation {
  silverRows: number;
  quarantined: { total: number; byReason: Record<QuarantineReason, number> };
  duplicatesRemoved: number;
  /** Optional columns whose non-empty value does not cast, counted over silver rows. */
  nulledValues: Record<string, number>;
}

export interface WrittenTable {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  dirt: DirtRecord[];
  formats: FormatRecord[];
  expected: TableExpectation;
}

interface Pending {
  due: number;
  recipe: Recipe;
  fields: readonly string[];
  line: string;
  quoted: boolean;
  sourceRow: number;
}

/** Rows between a source row and the row derived from it, at most. */
const MAX_DELAY = 300;

export interface TableWriterOptions {
  plan: TablePlan;
  sink: CsvFileSink;
  rng: Rng;
  /** Share of rows written with every field quoted (real exports mix both styles). */
  quoteShare: number;
  bom?: boolean;
  /** +1 for each row that reaches silver, −1 for a silver row that a later duplicate replaces. */
  onSurvivor?: (fields: readonly string[], sign: 1 | -1) => void;
}

export class TableWriter {
  private readonly contract: TableContract;
  private readonly picker: RowPicker<Recipe>;
  private readonly log = new DirtLog();
  private readonly pending: Pending[] = [];
  private readonly zipColumns: { index: number; name: string }[];
  private readonly quarantined = Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, 0])) as Record<QuarantineReason, number>;
  private readonly nulled: Record<string, number> = {};
  private duplicatesRemoved = 0;
  private logicalWritten = 0;

  constructor(private readonly options: TableWriterOptions) {
    this.contract = options.plan.contract;
    this.picker = new RowPicker(options.plan.logicalRows, options.plan.picks);
    this.zipColumns = this.contract.columns.flatMap((c, index) => (c.name.endsWith('zip_code_prefix') ? [{ index, name: c.name }] : []));
    options.sink.header(
      this.contract.columns.map((c) => c.name),
      options.bom === true,
    );
    if (options.bom === true) this.log.format('utf8_bom', null, 0);
  }

  get needsFlush(): boolean {
    return this.options.sink.needsFlush;
  }

  flush(): Promise<void> {
    return this.options.sink.flush();
  }

  /** Writes one logical row (it will survive to silver) with the realistic oddities it carries. */
  write(fields: string[], tags: readonly RowTag[] = []): void {
    const { rng } = this.options;
    const recipe = this.picker.next(rng);
    let row = fields;
    if (recipe?.effect === 'value_nulled') row = recipe.make!(fields, rng);
    const quoted = rng.chance(this.options.quoteShare);
    const line = formatCsvRecord(row, quoted);
    const position = this.emit(line, row, quoted);
    if (recipe?.effect === 'value_nulled') {
      this.log.add(recipe, position);
      this.nulled[recipe.column!] = (this.nulled[recipe.column!] ?? 0) + 1;
    }
    for (const tag of tags) this.log.add({ kind: tag.kind, origin: 'realistic', column: tag.column, effect: 'kept' }, position);
    this.options.onSurvivor?.(row, 1);
    this.logicalWritten++;
    if (recipe !== undefined && recipe.effect !== 'value_nulled') {
      this.schedule({ due: this.logicalWritten + rng.int(0, MAX_DELAY), recipe, fields: row, line, quoted, sourceRow: position });
    }
    while (this.pending.length > 0 && this.pending[0]!.due <= this.logicalWritten) this.emitExtra(this.pending.shift()!);
  }

  async finish(): Promise<WrittenTable> {
    while (this.pending.length > 0) this.emitExtra(this.pending.shift()!);
    if (this.logicalWritten !== this.options.plan.logicalRows) {
      throw new KeystoneError('internal:olist_generator', `${this.contract.table}: wrote ${this.logicalWritten} rows, planned ${this.options.plan.logicalRows}`);
    }
    const result = await this.options.sink.close();
    const total = QUARANTINE_REASONS.reduce((sum, r) => sum + this.quarantined[r], 0);
    return {
      file: this.contract.file,
      rows: result.rows,
      bytes: result.bytes,
      sha256: result.sha256,
      dirt: this.log.dirt(),
      formats: this.log.formatNotes(),
      expected: {
        silverRows: result.rows - total - this.duplicatesRemoved,
        quarantined: { total, byReason: this.quarantined },
        duplicatesRemoved: this.duplicatesRemoved,
        nulledValues: this.nulled,
      },
    };
  }

  private schedule(p: Pending): void {
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.due > p.due) i--;
    this.pending.splice(i, 0, p);
  }

  private emitExtra(p: Pending): void {
    const { rng } = this.options;
    let fields = p.fields;
    let line = p.line;
    let quoted = p.quoted;
    if (p.recipe.make !== undefined) {
      fields = p.recipe.make(p.fields, rng);
      quoted = rng.chance(this.options.quoteShare);
      line = formatCsvRecord(fields, quoted);
    }
    const position = this.emit(line, fields, quoted);
    this.log.add(p.recipe, position, p.sourceRow);
    if (p.recipe.effect === 'quarantined') {
      const reason = p.recipe.reason!;
      this.quarantined[reason]++;
    } else if (p.recipe.effect === 'supersedes_earlier') {
      this.duplicatesRemoved++;
      this.options.onSurvivor?.(p.fields, -1);
      this.options.onSurvivor?.(fields, 1);
    }
  }

  private emit(line: string, fields: readonly string[], quoted: boolean): number {
    const position = this.options.sink.record(line);
    if (quoted) this.log.format('quoted_row', null, position);
    for (const zip of this.zipColumns) {
      if (fields[zip.index]?.startsWith('0') === true) this.log.format('leading_zero_zip', zip.name, position);
    }
    return position;
  }
}
