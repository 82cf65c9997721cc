import { App, CloudFormationValidatePlugin, IPolicyValidationContext, PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

/**
 * The worker's code (plain JavaScript, so it runs the same from the TypeScript sources, a bundle or dist/): it loads
 * aws-cdk-lib's own CloudFormationValidatePlugin, starts its validation engine at once, then validates the templates
 * it is sent with that plugin and posts the plugin's report back.
 *
 * The warm-up: the plugin builds its engine for the resource types of the templates and keeps it for any later set
 * of types that is a subset; its configuration only depends on which of aws-cdk-lib's built-in rules
 * (core/lib/validation/rules/index.generated.json) apply to those types. The engine is started for "every type no
 * rule is about" — the same configuration (the rules that apply to any type, none of the others) the plugin would
 * build for templates without such types, and for templates with one of them the plugin builds the exact engine
 * itself. If aws-cdk-lib changes these internals the warm-up is skipped and the engine starts when the templates
 * arrive, as it would in the app's thread.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { port, signal, cdkLib } = workerData;
// Liftoff, V8's baseline WebAssembly compiler, only: without it V8 recompiles the engine's hot functions with
// TurboFan in background threads, which Node waits for before the process can exit (about 1 s of a synth).
require('node:v8').setFlagsFromString('--liftoff-only');
// signal[0]: the plugin's version and rule ids are posted (first message); signal[1]: a report is posted.
const post = (slot, message) => {
  port.postMessage(message);
  Atomics.store(signal, slot, 1);
  Atomics.notify(signal, slot);
};
let plugin;
let loadError;
let warm = false;
try {
  plugin = new (require(cdkLib).CloudFormationValidatePlugin)();
  post(0, { version: plugin.version, ruleIds: plugin.ruleIds });
} catch (e) {
  loadError = e;
  post(0, { error: String((e && e.stack) || e) });
}
if (plugin && typeof plugin.initializeEngine === 'function') {
  try {
    const index = path.join(path.dirname(cdkLib), 'core', 'lib', 'validation', 'rules', 'index.generated.json');
    const ruleTypes = new Set(JSON.parse(fs.readFileSync(index, 'utf8')).rules.flatMap((r) => r.types ?? []));
    plugin.initializeEngine({ has: (type) => !ruleTypes.has(type) });
    warm = true;
  } catch {
    // No warm-up: the plugin starts its engine on the first templates.
  }
}
port.on('message', (context) => {
  try {
    if (!plugin) throw loadError;
    const started = warm ? plugin.engine : undefined;
    const report = plugin.validate(context);
    // warm: the engine started ahead was the one that validated (the plugin did not have to build another).
    post(1, { report: JSON.parse(JSON.stringify(report)), warm: started !== undefined && plugin.engine === started });
  } catch (e) {
    post(1, { error: String((e && e.stack) || e) });
  }
});
`;

interface PluginInfo {
  readonly version?: string;
  readonly ruleIds?: string[];
  readonly error?: string;
}

interface WorkerReply {
  readonly report?: PolicyValidationPluginReport;
  readonly warm?: boolean;
  readonly error?: string;
}

/** How long the plugin waits for the worker before doing the work in the app's thread instead. */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * aws-cdk-lib's built-in CloudFormation template validation, unchanged — the same CloudFormationValidatePlugin with
 * its default rules and severities, its report under the same plugin name in cdk.out/validation-report.json — run
 * in a worker thread whose validation engine starts while the app is still loading and building its constructs
 * (starting that engine is about 1.5 s of a small app's synth, the largest fixed cost of `cdk synth`). Registered
 * on the App, it replaces the built-in instance (aws-cdk-lib adds its own only when none is registered).
 *
 * If the worker cannot be started, fails or does not answer within 10 minutes, the plugin validates in the app's
 * thread exactly as the built-in one does, so the validation never depends on the worker.
 */
export class TemplateValidationWorker extends CloudFormationValidatePlugin {
  /**
   * Starts the worker now (call it before building the app); `register` adds the plugin to the App afterwards.
   * With `CDK_VALIDATION=false` (aws-cdk-lib's switch for its built-in validation, the documented inner-loop mode)
   * nothing is started and `register` adds nothing.
   */
  public static start(): TemplateValidationWorker | undefined {
    if (process.env.CDK_VALIDATION === 'false') return undefined;
    return new TemplateValidationWorker();
  }

  private worker?: Worker;
  private port?: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private info?: PluginInfo;
  /** After `validate`: whether the engine that validated had been started ahead, before the templates arrived. */
  public warmEngine?: boolean;

  private constructor() {
    super();
    try {
      const { port1, port2 } = new MessageChannel();
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { port: port2, signal: this.signal, cdkLib: require.resolve('aws-cdk-lib') },
        transferList: [port2],
      });
      // Neither keeps the process alive: a synth that fails before validating exits as it would without them.
      this.worker.unref();
      port1.unref();
      this.port = port1;
    } catch {
      this.stopWorker();
    }
  }

  /**
   * Adds the plugin to `app`, after the plugins registered so far (the security packs run while the engine starts).
   * Only on an App: aws-cdk-lib accepts its template validation plugin there only.
   */
  public register(app: App): void {
    Validations.of(app).addPlugins(this);
  }

  /** The engine's version, read by the worker (aws-cdk-lib reads it while it synthesizes, for the stacks' metadata). */
  public get version(): string | undefined {
    const info = this.pluginInfo();
    return info ? info.version : super.version;
  }

  public get ruleIds(): string[] | undefined {
    const info = this.pluginInfo();
    return info ? info.ruleIds : super.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const reply = this.pluginInfo() && this.fromWorker(context);
    if (reply?.report) {
      this.warmEngine = reply.warm;
      return reply.report;
    }
    this.stopWorker();
    return super.validate(context);
  }

  /** The worker's first message; undefined when there is no worker, it failed or it did not answer in time. */
  private pluginInfo(): PluginInfo | undefined {
    if (this.info === undefined && this.port) {
      const message = this.receive(0) as PluginInfo | undefined;
      if (!message || message.error !== undefined) this.stopWorker();
      else this.info = message;
    }
    return this.info;
  }

  private fromWorker(context: IPolicyValidationContext): WorkerReply | undefined {
    if (!this.port) return undefined;
    Atomics.store(this.signal, 1, 0);
    // The templates are files: the worker reads them as the built-in plugin does (the construct tree stays here).
    this.port.postMessage({
      templatePaths: context.templatePaths,
      stackTemplates: context.stackTemplates,
      accountId: context.accountId,
      region: context.region,
    });
    return this.receive(1) as WorkerReply | undefined;
  }

  /** Blocks until the worker has posted on `slot` (0: plugin info, 1: a report), then takes its message. */
  private receive(slot: number): unknown {
    if (!this.port || Atomics.wait(this.signal, slot, 0, WORKER_TIMEOUT_MS) === 'timed-out') return undefined;
    return receiveMessageOnPort(this.port)?.message;
  }

  private stopWorker(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.port = undefined;
  }
}
