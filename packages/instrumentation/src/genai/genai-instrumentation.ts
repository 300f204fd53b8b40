import { metrics, type MeterProvider } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { VERSION } from '../version';
import { GenAIRecorder } from './recorder';

/**
 * Base of every Tokenomics instrumentation: owns the {@link GenAIRecorder} built from the
 * configuration. Metrics go to instruments shared by every Tokenomics instrumentation on the same
 * meter provider (one meter, `@tokenomics/instrumentation`), so that each metric family is
 * declared once however many clients are instrumented; spans keep each instrumentation's tracer.
 */
export abstract class GenAIInstrumentation extends InstrumentationBase<TokenomicsInstrumentationConfig> {
  // Assigned in setConfig, which the base constructor calls: `declare` keeps a field initialiser
  // from resetting it after super() returns.
  declare protected recorder: GenAIRecorder;
  /** The provider given to setMeterProvider; the global one until then. */
  declare private meterProvider: MeterProvider | undefined;

  constructor(name: string, config: TokenomicsInstrumentationConfig = {}) {
    super(name, VERSION, config);
  }

  override setConfig(config: TokenomicsInstrumentationConfig = {}): void {
    super.setConfig(config);
    const previous = this.recorder;
    this.recorder = new GenAIRecorder(() => this.tracer, this.getConfig());
    // The previous recorder hands over what it holds and leaves the collections: nothing keeps it.
    previous?.detachInstruments();
    // The base constructor calls setConfig before it has a meter, then updates instruments itself.
    if (this.meter) this.recorder.updateInstruments(this.currentMeterProvider());
  }

  override setMeterProvider(meterProvider: MeterProvider): void {
    this.meterProvider = meterProvider;
    super.setMeterProvider(meterProvider);
  }

  protected override _updateMetricInstruments(): void {
    this.recorder?.updateInstruments(this.currentMeterProvider());
  }

  private currentMeterProvider(): MeterProvider {
    return this.meterProvider ?? metrics.getMeterProvider();
  }
}
