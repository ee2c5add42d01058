"""The AWS half of Benchmarks/bench-lambda.sh (a benchmark command, not a test):

    python backend/Benchmarks/bench_lambda_aws.py LAMBDA_BENCH BOOTSTRAP [lambda-bench options...]

Starts a moto emulator (SigV4 checked) with the user pool, table and master-key secret made the
way Terraform makes them (the e2e AwsDriver), adds one confirmed user, writes the function's
environment and that user to a KEY=VALUE file, and runs
`lambda-bench BOOTSTRAP --aws FILE [options]`: the authenticated route and the mixed workload
with RSS over time. The emulator is stopped afterwards. BENCH_FUNCTION_ENV (space-separated
KEY=VALUE pairs) adds to the function's environment (e.g. MALLOC_ARENA_MAX=2 to compare).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e" / "api"))

import drivers  # noqa: E402

EMAIL = "bench-user@example.com"
PASSWORD = "SecureP@ss123"


def main() -> int:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    bench, bootstrap, *options = sys.argv[1:]
    driver = drivers.AwsDriver()
    try:
        pool = driver.pool_id
        driver.cognito.admin_create_user(
            UserPoolId=pool, Username=EMAIL, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"},
                            {"Name": "given_name", "Value": "Bench"}, {"Name": "family_name", "Value": "User"}])
        driver.cognito.admin_set_user_password(UserPoolId=pool, Username=EMAIL, Password=PASSWORD, Permanent=True)
        env = driver.server_env()
        env_file = driver.work_dir / "lambda-bench.env"
        lines = [f"{k}={v}" for k, v in sorted(env.items()) if "\n" not in v]
        lines += [f"BENCH_EMAIL={EMAIL}", f"BENCH_PASSWORD={PASSWORD}"]
        lines += [pair for pair in os.environ.get("BENCH_FUNCTION_ENV", "").split() if "=" in pair]
        env_file.write_text("\n".join(lines) + "\n")
        env_file.chmod(0o600)
        return subprocess.run([bench, bootstrap, "--aws", str(env_file), *options]).returncode
    finally:
        driver.cleanup()


if __name__ == "__main__":
    sys.exit(main())
