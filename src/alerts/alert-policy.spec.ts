import { describe, expect, it } from '@jest/globals';
import { committedEvent, type EventRecord, type NewEvent, type Tier } from '../event-log/event.types.js';
import { emptyState, type ManagerState } from '../state/state.model.js';
import { applyEvent } from '../state/state.reducer.js';
import { decideAlert, emergencyRepeats } from './alert-policy.js';
import { alertIntents } from './alert-rules.js';

const settings = { cooldownSeconds: 6 * 3600, emergencyRepeatSeconds: 900 };
const T0 = Date.parse('2026-03-01T00:00:00Z');
const channels = ['email', 'webhook:hooks.example'];

/** A filesystem's tier as a sampler would record it, the alert decisions made on it, on a fixed clock. */
class Simulation {
  readonly state: ManagerState = emptyState();
  readonly sent: Array<{ at: number; title: string; tier: Tier; status: string }> = [];
  private tier: Tier = 'ok';
  private ids = 0;

  constructor(public now = T0) {}

  setTier(to: Tier): void {
    if (to === this.tier) return;
    const event = this.commit({
      type: 'filesystem.tier_changed',
      target: 'filesystem:/srv',
      payload: { mountpoint: '/srv', from: this.tier, to, used_ratio: 0.9, inode_ratio: 0.1, total_bytes: 100, available_bytes: 10, volumes: ['cam'] },
    });
    this.tier = to;
    let afterSentResolution = false;
    for (const intent of alertIntents(event)) {
      const decided = decideAlert(intent, this.state.alerts, new Date(this.now), settings, channels, () => `a${++this.ids}`, afterSentResolution);
      afterSentResolution = decided.some((e) => e.type === 'alert.resolved');
      for (const e of decided) this.record(this.commit(e));
    }
  }

  tick(): void {
    for (const e of emergencyRepeats(this.state.alerts, new Date(this.now), settings, channels, () => `a${++this.ids}`)) this.record(this.commit(e));
  }

  private commit(event: NewEvent): EventRecord {
    const record = committedEvent(event, 0, new Date(this.now));
    applyEvent(this.state, record);
    return record;
  }

  private record(event: EventRecord): void {
    if (event.type === 'alert.raised' || event.type === 'alert.resolved') {
      const { alert } = event.payload;
      this.sent.push({ at: this.now, title: alert.title, tier: alert.tier, status: alert.status });
    }
  }
}

describe('alert cooldowns, on a fixed clock', () => {
  it('over 48 h of a condition coming and going, sends the same alert at most once per cooldown', () => {
    const sim = new Simulation();
    // Warning for 10 minutes every hour, for 48 hours.
    for (let hour = 0; hour < 48; hour++) {
      sim.now = T0 + hour * 3_600_000;
      sim.setTier('warning');
      sim.now += 600_000;
      sim.setTier('ok');
    }
    const raises = sim.sent.filter((s) => s.status === 'firing');
    expect(raises).toHaveLength(8); // hours 0, 6, 12, … 42
    for (let i = 1; i < raises.length; i++) expect(raises[i]!.at - raises[i - 1]!.at).toBeGreaterThanOrEqual(settings.cooldownSeconds * 1000);
    // A resolution only follows a raise that was sent, once.
    const resolutions = sim.sent.filter((s) => s.status === 'resolved');
    expect(resolutions.map((r) => r.at)).toEqual(raises.map((r) => r.at + 600_000));
  });

  it('sends an escalation at once, even within the cooldown of the lower tier', () => {
    const sim = new Simulation();
    sim.setTier('warning');
    sim.now += 60_000;
    sim.setTier('critical');
    sim.now += 60_000;
    sim.setTier('emergency');
    expect(sim.sent.map((s) => `${s.status} ${s.tier}`)).toEqual(['firing warning', 'firing critical', 'firing emergency']);
  });

  it('repeats an active emergency every repeat period, not more often', () => {
    const sim = new Simulation();
    sim.setTier('emergency');
    for (let minute = 1; minute <= 60; minute++) {
      sim.now = T0 + minute * 60_000;
      sim.tick();
    }
    const repeats = sim.sent.filter((s) => s.title.startsWith('[REPEAT]'));
    expect(repeats.map((r) => (r.at - T0) / 60_000)).toEqual([15, 30, 45, 60]);
  });

  it('leaving a tier for a lower one resolves it and says the lower tier is current; the end of that is sent too', () => {
    const sim = new Simulation();
    sim.setTier('critical');
    sim.now += 60_000;
    sim.setTier('emergency');
    sim.now += 60_000;
    sim.setTier('critical'); // critical was sent 2 minutes ago: not sent again, but known
    sim.now += 60_000;
    sim.setTier('ok');
    expect(sim.sent.map((s) => `${s.status} ${s.tier}`)).toEqual(['firing critical', 'firing emergency', 'resolved emergency', 'resolved critical']);
    expect(sim.state.alerts.active).toEqual({});
  });

  it('a filesystem filled through every tier has each alert active at once; emptied, each is resolved once, highest first', () => {
    const sim = new Simulation();
    for (const tier of ['warning', 'critical', 'emergency'] as const) {
      sim.setTier(tier);
      sim.now += 60_000;
    }
    expect(Object.values(sim.state.alerts.active).map((a) => a.tier).sort()).toEqual(['critical', 'emergency', 'warning']);
    sim.setTier('critical'); // relief: only the emergency ends, critical and warning still hold
    expect(sim.sent.slice(3).map((s) => `${s.status} ${s.tier}`)).toEqual(['resolved emergency']);
    sim.now += 60_000;
    sim.setTier('ok');
    expect(sim.sent.map((s) => `${s.status} ${s.tier}`)).toEqual([
      'firing warning', 'firing critical', 'firing emergency', 'resolved emergency', 'resolved critical', 'resolved warning',
    ]);
    expect(sim.state.alerts.active).toEqual({});
  });

  it('a jump from ok to emergency raises only the emergency, and its end resolves only that', () => {
    const sim = new Simulation();
    sim.setTier('emergency');
    sim.now += 60_000;
    sim.setTier('ok');
    expect(sim.sent.map((s) => `${s.status} ${s.tier}`)).toEqual(['firing emergency', 'resolved emergency']);
  });

  it('keeps its memory in the state: a restart (a fresh replay) decides the same', () => {
    const sim = new Simulation();
    sim.setTier('warning');
    sim.now += 600_000;
    sim.setTier('ok');
    const replayed = JSON.parse(JSON.stringify(sim.state)) as ManagerState;
    expect(replayed.alerts.lastSent).toEqual(sim.state.alerts.lastSent);
    sim.now += 3_600_000;
    sim.setTier('warning');
    expect(sim.sent.filter((s) => s.status === 'firing')).toHaveLength(1);
  });
});
