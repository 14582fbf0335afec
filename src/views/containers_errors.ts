import { ViewDef } from './types';

const view: ViewDef = {
  id: 'containers_errors',
  name: 'Containers Errors',
  description: 'Containers Errors: failed calls per container, split into file, network, memory and other.',
  type: 'table',
  filter: 'container.name != host and evt.failed=true',
  key: 'container.id',
  columns: [
    { name: 'FILE', field: 'evt.count.error.file', agg: 'sum', width: 6, format: 'num' },
    { name: 'NET', field: 'evt.count.error.net', agg: 'sum', width: 6, format: 'num' },
    { name: 'MEMORY', field: 'evt.count.error.memory', agg: 'sum', width: 6, format: 'num' },
    { name: 'OTHER', field: 'evt.count.error.other', agg: 'sum', width: 6, format: 'num' },
    { name: 'TOTAL', field: 'evt.count', agg: 'sum', width: 6, format: 'num' },
    { name: 'ENGINE', field: 'container.type', agg: 'last', width: 7, format: 'text' },
    { name: 'ID', field: 'container.id', agg: 'last', width: 13, format: 'text' },
    { name: 'CONTAINER', field: 'container.name', agg: 'last', width: 20, format: 'text' },
  ],
  sortCol: 4,
  drilldown: 'errors',
  appliesTo: [''],
  containers: true,
};
export default view;
