"""The inline stylesheet of the summary page: system fonts only, readable on a laptop, printable."""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
table.reconcile tr.off, table.reconcile tr.off th { background: #fde2d6; }
ul.notes li { color: #9a3412; margin: .2rem 0; }
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #dde3ea; --paper: #ffffff; --bg: #f4f6f9;
  --accent: #0b5cad; --done: #1b8a5a; --skip: #56b4e9; --merged: #0072b2; --refused: #e69f00;
  --failed: #d55e00; --pending: #b8c0ca; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Liberation Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 28px 40px; }
h1 { font-size: 26px; margin: 2px 0 10px; }
h2 { font-size: 19px; margin: 0 0 12px; }
h3 { font-size: 16px; margin: 0 0 8px; }
a { color: var(--accent); }
code { font: 12px ui-monospace, "DejaVu Sans Mono", Consolas, monospace; color: var(--muted); }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 18px 22px; margin: 0 0 18px; }
.eyebrow { margin: 0; color: var(--muted); font-size: 13px; letter-spacing: .04em;
  text-transform: uppercase; }
.status { display: inline-block; margin: 0 0 14px; padding: 4px 12px; border-radius: 999px;
  font-weight: 600; font-size: 14px; }
.status-done { background: #e3f4ea; color: #135e3d; }
.status-attention { background: #fff1d6; color: #7a4b00; }
.route-warning { background: #fff1d6; color: #7a4b00; font-weight: 600; }
.status-dry, .status-running { background: #e4eefa; color: #0b4683; }
.meta { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 8px 24px;
  margin: 0; }
.meta div { min-width: 0; }
.meta dt { color: var(--muted); font-size: 12px; }
.meta dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
.kpis { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 0 0 18px; }
.kpi { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
  padding: 14px 16px; border-top: 4px solid var(--accent); }
.kpi-value { display: block; font-size: 26px; font-weight: 700; white-space: nowrap; }
.kpi-label { display: block; color: var(--muted); font-size: 13px; }
.kpi-done { border-top-color: var(--done); } .kpi-merged { border-top-color: var(--merged); }
.kpi-warn { border-top-color: var(--refused); } .kpi-refused { border-top-color: var(--failed); }
.todo { border-left: 5px solid var(--refused); }
.todo.todo-clear { border-left-color: var(--done); }
.todo ul { margin: 0; padding-left: 20px; } .todo li { margin: 4px 0; }
.charts { display: grid; grid-template-columns: 1fr; gap: 6px; }
figure { margin: 0 0 14px; }
.timings { max-width: 560px; }
.chart { display: block; max-width: 100%; height: auto; margin: 4px 0 8px; }
.chart .label { font-size: 14px; fill: var(--ink); }
.chart .value { font-size: 14px; font-weight: 600; fill: var(--ink); }
.chart .empty { fill: #eef1f4; }
.c-read { fill: #7aa6d6; } .c-clean { fill: #4f8bc9; } .c-dedupe { fill: var(--merged); }
.c-done, .c-load { fill: var(--done); } .c-skip { fill: var(--skip); }
.c-merged { fill: var(--merged); }
.c-refused { fill: var(--refused); } .c-failed { fill: var(--failed); }
.c-pending { fill: var(--pending); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0 0 6px; padding: 0;
  list-style: none; font-size: 13px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  margin-right: 6px; vertical-align: -1px; }
.s-done { background: var(--done); } .s-skip { background: var(--skip); }
.s-merged { background: var(--merged); } .s-refused { background: var(--refused); }
.s-failed { background: var(--failed); } .s-pending { background: var(--pending); }
.hint { color: var(--muted); font-size: 13px; margin: 0 0 8px; }
details { margin: 4px 0 0; font-size: 13px; } summary { cursor: pointer; color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; background: #f8fafc; }
thead th.num { white-space: normal; }
.overview { margin: 0 0 14px; }
.overview th:first-child { width: 16%; }
th.group { text-align: center; border-left: 2px solid var(--line); }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.start, th.start { border-left: 2px solid var(--line); }
tfoot td, tfoot th { font-weight: 700; border-top: 2px solid var(--line); }
td.none { color: #a0a9b4; text-align: center; }
.wide { overflow-x: auto; }
.entities { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px;
  align-items: start; }
.entities .card { margin: 0; }
.entities table { margin: 0 0 12px; }
.sev-error { color: #a33a00; font-weight: 600; } .sev-warning { color: #7a5a00; }
.sev-error, .sev-warning { white-space: nowrap; }
.reason { overflow-wrap: anywhere; }
.workbooks { margin: 0; padding-left: 20px; } .workbooks li { margin: 4px 0; }
.section-title { margin: 8px 2px 12px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 8px; }
@media screen and (max-width: 820px) { .kpis { grid-template-columns: repeat(2, 1fr); }
  .entities { grid-template-columns: 1fr; } }
@media print { body { background: #fff; font-size: 11pt; } main { max-width: none; padding: 0; }
  .card, .kpi { border-color: #bbb; }
  .kpi, figure, article.card, tr, .todo { break-inside: avoid; }
  h2, h3, caption { break-after: avoid; }
  details { display: none; } .wide { overflow: visible; } a { color: inherit; }
  @page { size: A4 landscape; margin: 12mm; } }
"""
