import { describe, expect, it } from '@jest/globals';
import { ExpositionWriter, labelText } from './exposition.js';

describe('ExpositionWriter', () => {
  it('writes HELP, TYPE and samples in the text format, escaping label values and help, leaving out null values', () => {
    const out = new ExpositionWriter();
    out.gauge({ name: 'sm_bytes', help: 'Bytes\\of a "target"\nsecond line' }, (sample) => {
      sample(labelText({ volume: 'cams', path: '/rec "a"\\b\nc' }), 5);
      sample(labelText({ volume: 'cams', path: '/unmeasured' }), null);
      sample('', Number.POSITIVE_INFINITY);
    });
    out.counter({ name: 'sm_events_total', help: 'Events.' }, (sample) => sample(labelText({}), 0));
    expect(out.toString()).toBe(
      '# HELP sm_bytes Bytes\\\\of a "target"\\nsecond line\n' +
        '# TYPE sm_bytes gauge\n' +
        'sm_bytes{volume="cams",path="/rec \\"a\\"\\\\b\\nc"} 5\n' +
        'sm_bytes +Inf\n' +
        '# HELP sm_events_total Events.\n' +
        '# TYPE sm_events_total counter\n' +
        'sm_events_total 0\n',
    );
  });

  it('spells the special values as Prometheus does', () => {
    const out = new ExpositionWriter();
    out.gauge({ name: 'g', help: 'h' }, (sample) => {
      sample('', Number.NEGATIVE_INFINITY);
      sample('', Number.NaN);
      sample('', 0.25);
    });
    expect(out.toString().split('\n').slice(2, 5)).toEqual(['g -Inf', 'g NaN', 'g 0.25']);
  });
});
