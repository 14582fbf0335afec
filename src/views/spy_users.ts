import { ViewDef } from './types';

const view: ViewDef = {
  id: 'spy_users',
  name: 'Spy Users',
  description: 'Spy Users: commands run (execve) and directories entered by shells, one line per event.',
  type: 'list',
  filter: '((evt.type=execve and evt.dir=<) or (evt.type=chdir and evt.dir=< and proc.name contains sh and not proc.name contains sshd)) and evt.failed=false',
  key: 'evt.num',
  columns: [
    { name: 'TIME', field: 'evt.time', width: 19, format: 'text' },
    { name: 'USER', field: 'user.name', width: 8, format: 'text' },
    { name: 'SHELL', field: 'proc.ppid', width: 8, format: 'num' },
    { name: 'PID', field: 'proc.pid', width: 8, format: 'num' },
    { name: 'Command', field: 'proc.exeline', width: 30, format: 'text' },
  ],
  sortCol: 0,
  sortAsc: true,
  appliesTo: ['', 'container.id', 'proc.pid'],
};
export default view;
