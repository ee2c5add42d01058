"""Only the API drives Cognito's user flows. The app client is confidential: SignUp,
InitiateAuth, ForgotPassword, ResendConfirmationCode and the rest need SECRET_HASH, made with a
secret the function reads from Cognito at start and nobody else holds. Called around the API
with the (public) client id alone, Cognito refuses. The refresh token the API hands out is
sealed: it means nothing to Cognito."""

from __future__ import annotations

import subprocess

import pytest

from api_support import json_body, new_email, new_password


@pytest.fixture()
def cognito(api):
    if api.driver.mode != "aws":
        pytest.skip("Cognito's app client exists in the aws mode only")
    return api.driver


def _refused(call, **kwargs) -> str:
    from botocore.exceptions import ClientError  # noqa: PLC0415

    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"]


def test_user_flows_around_the_api_are_refused_without_the_client_secret(api, cognito, user):
    idp, client_id = cognito.cognito, cognito.client_id
    password = new_password()
    assert _refused(idp.sign_up, ClientId=client_id, Username=new_email("direct"), Password=password) == "NotAuthorizedException"
    assert _refused(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": user.email, "PASSWORD": user.password}) == "NotAuthorizedException"
    assert _refused(idp.forgot_password, ClientId=client_id, Username=user.email) == "NotAuthorizedException"
    # a guessed hash is no better than none
    assert _refused(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": user.email, "PASSWORD": user.password,
                                    "SECRET_HASH": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}) == "NotAuthorizedException"
    # control: with the secret (which only the API holds) the same call works
    ok = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                           AuthParameters={"USERNAME": user.email, "PASSWORD": user.password,
                                           "SECRET_HASH": cognito.secret_hash(user.email)})
    assert ok["AuthenticationResult"]["AccessToken"]
    # and through the API everything works
    r = api.login(user.email, user.password)
    assert r.status_code == 200, r.text


def test_the_api_refresh_token_is_sealed_and_useless_at_cognito(api, cognito, user):
    tokens = api.tokens(user)
    refresh = tokens["refreshToken"]
    assert refresh.startswith("r2.")  # sealed with the key id of the master key that sealed it
    code = _refused(cognito.cognito.initiate_auth, ClientId=cognito.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                    AuthParameters={"REFRESH_TOKEN": refresh, "SECRET_HASH": cognito.secret_hash(user.user_id or "")})
    assert code in ("NotAuthorizedException", "ResourceNotFoundException"), code
    # a changed byte makes it worthless to the API too
    tampered = refresh[:-2] + ("A" if refresh[-2] != "A" else "B") + refresh[-1]
    r = api.post("/auth/refresh", {"refreshToken": tampered})
    assert r.status_code == 401, r.text
    r = api.post("/auth/refresh", {"refreshToken": refresh})
    assert r.status_code == 200, r.text
    assert json_body(r)["accessToken"]


def test_the_token_trigger_takes_the_self_service_scope_out_of_every_access_token(api):
    """Cognito's pre-token-generation trigger (event version 2), served by the same function:
    access tokens lose ``aws.cognito.signin.user.admin``, so a stolen token cannot call
    Cognito's self-service API (SetUserMFAPreference, AssociateSoftwareToken, ChangePassword,
    DeleteUser, ...) around the API. The emulator does not run triggers; this runs ours on the
    event Cognito sends (the rehearsal checks the pool wires it, version V2_0)."""
    import json as _json  # noqa: PLC0415

    for source in ("TokenGeneration_Authentication", "TokenGeneration_RefreshTokens", "TokenGeneration_HostedAuth"):
        event = {"version": "2", "triggerSource": source, "region": "us-east-1", "userPoolId": "us-east-1_abc",
                 "userName": "3f1c0a2e-0000-4000-8000-000000000001", "callerContext": {"clientId": "client"},
                 "request": {"userAttributes": {"sub": "3f1c0a2e-0000-4000-8000-000000000001"},
                             "scopes": ["aws.cognito.signin.user.admin"], "groupConfiguration": {}},
                 "response": {"claimsAndScopeOverrideDetails": None}}
        out = subprocess.run([str(api.driver.binary), "cognito-trigger"], input=_json.dumps(event), capture_output=True,
                             text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        answer = _json.loads(out.stdout)
        details = answer["response"]["claimsAndScopeOverrideDetails"]
        assert details["accessTokenGeneration"]["scopesToSuppress"] == ["aws.cognito.signin.user.admin"], answer
        assert answer["triggerSource"] == source and answer["userName"] == event["userName"]
