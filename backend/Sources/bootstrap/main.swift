import LifestyleServices
import LifestyleToolkit

#if os(Linux)
    import Glibc
#else
    #error("Linux only: the Lambda bootstrap runs on Amazon Linux")
#endif

// The Lambda function (`/var/runtime/bootstrap` in the image): a custom runtime serving the app
// on the AWS adapters. Outside Lambda it says what it is and stops.
let started = ContinuousClock.now
let environment = ProcessEnvironment.current
guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
    StandardStream.write(
        "bootstrap: the Lambda function; it runs when AWS_LAMBDA_RUNTIME_API is set. Use api-handler for serve, routes and cognito-trigger.\n",
        to: 2)
    exit(64)  // EX_USAGE
}
await LambdaMain.run(endpoint: endpoint, environment: environment, started: started)
