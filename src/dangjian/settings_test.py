"""Test settings: the base settings with fast hashing and plain static storage."""

import os
import tempfile

os.environ.setdefault("DANGJIAN_TESTING", "1")
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-test-"))

from dangjian.settings import *  # noqa: F403

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Most tests sign administrators in with force_login; the two-factor tests turn this on.
OTP_REQUIRED = False
