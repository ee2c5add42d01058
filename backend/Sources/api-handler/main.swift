import LambdaTransport
import LifestyleCore

#if canImport(Glibc)
    import Glibc
#endif

// `api-handler`: the only place that knows every part. It reads configuration and wires the
// core to its adapters and to a transport; nothing else lives here.
let environment = ProcessEnvironment.current
await Entry.main(environment: environment)
