// Help screen and footer text. Every F-key has a letter, for terminals that eat F-keys.
export const FOOTER = '?Help vViews \\Filter eEcho dDig lLegend aAction xExport gGo >Sort pPause qQuit';

export const HELP_TEXT = `tsdig UI - keys

 Table
  Up/Down PgUp/PgDn Home/End  move the selection
  Enter                       drill down into the selected row (pushes a filter)
  Backspace                   drill up (previous view, sort and selection)
  F2  or v                    view picker (type a letter to jump, Enter to open)
  F4  or \\                    filter: a sysdig filter, checked as you type;
                              Enter applies, Esc cancels, empty Enter clears
  F9  or >                    sort by the next column;  <  reverses the order
  ! @ # $ % ^ & * (           sort by column 1..9
  /   or Ctrl+F               search the rows (Enter keeps the selection)
  F6  or d                    dig: the events of the selection in this interval
  F5  or e                    echo: the I/O buffers of the selection (escaped);
                              x there switches between ASCII and hex
  c                           toggle the chart of the top rows over time
  F7  or l                    legend: what the columns of this view mean
  F8  or a                    actions on the selection: processes SIGTERM/SIGKILL,
                              containers docker stop/restart (always asks y/n)
  x                           export the shown interval of this view to
                              ./tsdig-VIEW-N.csv (c or Enter) or .json (j)
  F1  or ? or h               this help
  q   or F10                  quit

 Replay (snapshots are kept in memory)
  p                           pause / resume
  , or Left / . or Right      step one interval back / forward (pauses)
  + / -                       play faster / slower
  g                           go to a second from the start (+N/-N: from here)
  The header shows the interval's time, its offset in the capture and a
  time cursor [---|---]. A drill-down, view or filter change, step back or
  seek reads from the nearest checkpoint before the cursor, not from the
  start of the capture; drill-up and revisited views come from memory.
  -v shows what was read in the header.

 Dig and Echo screens
  Up/Down PgUp/PgDn Home/End  scroll;  Backspace or Esc  back

 Live (no -r, as root): the newest interval is shown; p pauses, , . step;
 dig and echo show the selection's events as they arrive.
 Set TSDIG_ASCII=1 (or TERM=linux/vt100) for ASCII-only borders and charts.
`;
