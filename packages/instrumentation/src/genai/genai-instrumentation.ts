import { InstrumentationBase } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { VERSION } from '../version';
import { GenAIRecorder } from './recorder';

/**
 * Base of every Tokenomics instrumentation: owns the {@link GenAIRecorder} built from the
 * configuration and keeps its metric instruments on the current meter.
 */
export abstract class GenAIInstrumentation extends InstrumentationBase<TokenomicsInstrumentationConfig> {
  // Assigned in setConfig, which the base constructor calls: `declare` keeps a field initialiser
  // from resetting it after super() returns.
  declare protected recorder: GenAIRecorder;

  constructor(name: string, config: TokenomicsInstrumentationConfig = {}) {
    super(name, VERSION, config);
  }

  override setConfig(config: TokenomicsInstrumentationConfig = {}): void {
    super.setConfig(config);
    this.recorder = new GenAIRecorder(() => this.tracer, this.getConfig());
    // The base constructor calls setConfig before it has a meter, then updates instruments itself.
    if (this.meter) this.recorder.updateInstruments(this.meter);
  }

  protected override _updateMetricInstruments(): void {
    this.recorder?.updateInstruments(this.meter);
  }
}
