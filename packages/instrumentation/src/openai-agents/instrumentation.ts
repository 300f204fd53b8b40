import { context, createContextKey, diag } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from '../config';
import { setLiveAttribution, type Attribution } from '../genai/attribution';
import { frameworkAttributionRead } from '../genai/framework-attribution';
import { ATTRIBUTION_KEY_AGENT, frameworkName } from '../langchain/attribution-keys';
import { VERSION } from '../version';

/** Range of `@openai/agents-core` versions patched (the runtime of `@openai/agents`). */
export const OPENAI_AGENTS_SUPPORTED_VERSIONS = ['>=0.1.0 <1'];

type Fn = (this: unknown, ...args: unknown[]) => unknown;
type Proto = Record<string, Fn>;

/** The agent currently making model calls in one run; a handoff moves it to the next agent. */
interface RunCell {
  attribution: Attribution | undefined;
}

const RUN_CELL_KEY = createContextKey('tokenomics.openai-agents.run');

function agentAttribution(agent: unknown): Attribution | undefined {
  const name =
    agent && typeof agent === 'object' && Object.hasOwn(agent, 'name') ? frameworkName((agent as { name: unknown }).name) : undefined;
  return name === undefined ? undefined : Object.freeze({ [ATTRIBUTION_KEY_AGENT]: name });
}

/** The `Runner` class of an `@openai/agents-core` (or `@openai/agents`) module. */
function runnerPrototype(moduleExports: unknown): Proto | undefined {
  const exp = moduleExports as Record<string, unknown> | undefined;
  const Runner = exp?.Runner as { prototype?: unknown } | undefined;
  const proto = typeof Runner === 'function' ? Runner.prototype : undefined;
  return proto && typeof proto === 'object' && typeof (proto as Proto).run === 'function' ? (proto as Proto) : undefined;
}

/**
 * Adds the OpenAI Agents SDK's agent to the model calls the `openai` instrumentation records. Each
 * model call of an agent run is the one priced span of the `openai` client call the SDK makes;
 * this instrumentation makes no span and prices nothing. A run (`run()`, `Runner.run`, streamed
 * or not) executes in an OpenTelemetry context whose model calls carry the agent making them as
 * `tokenomics.attribution.agent` (on metric points when `agent` is in `attributionKeys`): the
 * starting agent, then, after a handoff, the agent handed to (from the runner's `agent_start` and
 * `agent_handoff` events). An agent run as a tool of another runs its own run and carries its own
 * name. Without a tracer provider, and with `agent` not a metric attribution key, nothing reads
 * the agent: a run then enters no context. The SDK's own tracing is untouched: it exports to its
 * own processors, which never price.
 */
export class OpenAIAgentsInstrumentation extends InstrumentationBase<TokenomicsInstrumentationConfig> {
  constructor(config: TokenomicsInstrumentationConfig = {}) {
    super('@tokenomics/instrumentation-openai-agents', VERSION, config);
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@openai/agents-core',
        OPENAI_AGENTS_SUPPORTED_VERSIONS,
        (moduleExports: unknown) => {
          this.patchModule(moduleExports);
          return moduleExports;
        },
        (moduleExports: unknown) => {
          const proto = runnerPrototype(moduleExports);
          if (!proto) return;
          for (const name of ['run', 'emit']) if (isWrapped(proto[name])) this._unwrap(proto, name);
        },
      ),
    ];
  }

  /**
   * Patches the exports of an `@openai/agents-core` build loaded outside the module hooks (a
   * bundled copy). Returns the number of methods patched.
   */
  patchModule(moduleExports: unknown): number {
    const proto = runnerPrototype(moduleExports);
    if (!proto) return 0;
    let n = 0;
    try {
      if (!isWrapped(proto.run)) {
        this._wrap(proto, 'run', (original: Fn) => this.patchRun(original));
        n++;
      }
      // `emit` is inherited (RunHooks): the wrapper is an own property of Runner.prototype.
      if (typeof proto.emit === 'function' && !isWrapped(proto.emit)) {
        this._wrap(proto, 'emit', (original: Fn) => patchEmit(original));
        n++;
      }
    } catch (err) {
      diag.debug('@tokenomics/instrumentation-openai-agents: Runner not patched', err);
    }
    return n;
  }

  private patchRun(original: Fn): Fn {
    const instrumentation = this;
    return function tokenomicsAgentRun(this: unknown, ...args: unknown[]) {
      let ctx;
      try {
        if (instrumentation.isEnabled() && frameworkAttributionRead(ATTRIBUTION_KEY_AGENT, instrumentation.getConfig())) {
          const cell: RunCell = { attribution: agentAttribution(args[0]) };
          ctx = setLiveAttribution(context.active().setValue(RUN_CELL_KEY, cell), () => cell.attribution);
        }
      } catch (err) {
        diag.debug('@tokenomics/instrumentation-openai-agents: run context not set', err);
      }
      return ctx === undefined ? original.apply(this, args) : context.with(ctx, () => original.apply(this, args));
    };
  }
}

/** Runner events: `agent_start` (context, agent) and `agent_handoff` (context, from, to) move the run's agent. */
function patchEmit(original: Fn): Fn {
  return function tokenomicsAgentEvent(this: unknown, ...args: unknown[]) {
    try {
      const type = args[0];
      const agent = type === 'agent_start' ? args[2] : type === 'agent_handoff' ? args[3] : undefined;
      if (agent !== undefined) {
        const cell = context.active().getValue(RUN_CELL_KEY) as RunCell | undefined;
        const attribution = cell ? agentAttribution(agent) : undefined;
        if (cell && attribution) cell.attribution = attribution;
      }
    } catch (err) {
      diag.debug('@tokenomics/instrumentation-openai-agents: agent event not read', err);
    }
    return original.apply(this, args);
  };
}
