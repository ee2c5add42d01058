import LifestyleServices
import LifestyleToolkit

// `api-handler`: the developer CLI (serve, serve --lambda, routes, cognito-trigger). With
// AWS_LAMBDA_RUNTIME_API set it is the Lambda function instead, the same way `bootstrap` is;
// that is how `serve --lambda` runs it as the function in a child process.
let started = ContinuousClock.now
let environment = ProcessEnvironment.current
if let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty {
    await LambdaMain.run(endpoint: endpoint, environment: environment, started: started)
}
await APIHandler.runCommandLine()
