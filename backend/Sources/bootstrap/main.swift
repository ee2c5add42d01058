import LifestyleServices
import LifestyleToolkit

// The Lambda function (`/var/runtime/bootstrap` in the image): a custom runtime serving the app
// on the AWS adapters. Outside Lambda (no AWS_LAMBDA_RUNTIME_API) it says what it is and exits 64.
await LambdaMain.run(environment: ProcessEnvironment.current, started: ContinuousClock.now)
