"""Test settings: the base settings with fast hashing and plain static storage."""

import os
import tempfile

os.environ.setdefault("DANGJIAN_TESTING", "1")
os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-test-"))
# pytest-xdist workers inherit the controller's folder: each gets its own below it, so a test
# that lists stored files (uploads, exports) never sees another worker's
if os.environ.get("PYTEST_XDIST_WORKER"):
    _worker_dir = os.path.join(os.environ["DANGJIAN_DATA_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(_worker_dir, exist_ok=True)
    os.environ["DANGJIAN_DATA_DIR"] = _worker_dir

from dangjian.settings import *  # noqa: F403

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Most tests sign administrators in with force_login; the two-factor tests turn this on.
OTP_REQUIRED = False
