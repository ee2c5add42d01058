import LifestyleToolkit

/// The route table: the one place an endpoint is registered. Paths are relative to the base
/// path `/v1`. Adding an endpoint: write its handler in `Handlers/`, add one line here.
extension Routes {
    public static let all: [Route] = [
        Route("GET", "/health", .open, Health.get),
        Route("POST", "/auth/register", .open, Registration.register),
        Route("POST", "/auth/email/verify", .open, Registration.verifyEmail),
        Route("POST", "/auth/email/resend", .open, Registration.resendVerification),
        Route("POST", "/auth/login", .open, Session.login),
        Route("POST", "/auth/refresh", .open, Session.refresh),
        Route("POST", "/auth/logout", .open, Session.logout),
        Route("POST", "/auth/password/reset-request", .open, PasswordReset.request),
        Route("POST", "/auth/password/reset-confirm", .open, PasswordReset.confirm),
        Route("POST", "/auth/password/change", bearer: Account.changePassword),
        Route("POST", "/auth/mfa/setup", bearer: MFA.setup),
        Route("POST", "/auth/mfa/verify-setup", bearer: MFA.verifySetup),
        Route("POST", "/auth/mfa/verify", .open, MFA.verifyLogin),
        Route("POST", "/auth/mfa/disable", bearer: MFA.disable),
        Route("GET", "/users/profile", bearer: Profile.get),
        Route("PUT", "/users/profile", bearer: Profile.update),
        Route("DELETE", "/users/profile", bearer: Account.delete),
    ]
}

public enum Routes {}
