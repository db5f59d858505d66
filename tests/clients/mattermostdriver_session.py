"""Drives the Mattermost sandbox with the real PyPI `mattermostdriver`, as its users do.

Run by `tests/tests/third_party_clients.rs` (through the recording proxy, which checks every
exchange against specs/mattermost.yaml):

    python3 mattermostdriver_session.py PORT USER MFA_USER PASSWORD CODE

Three sessions, each the driver's own calls with its default options: `login()` (which sends
`"token": mfa_token`, i.e. `null` without MFA), `users.get_user('me')` (a GET with the JSON body
`{}`), `logout()` (a POST with `{}`). In between, the MFA user's login without a code, which the
server refuses with 401 `mfa.validate_token.authenticate.app_error`. Prints one JSON object.
"""

import json
import sys

import mattermostdriver
from mattermostdriver import Driver
from mattermostdriver.exceptions import NoAccessTokenProvided


def driver(port, login_id, password, mfa_token=None):
    return Driver({
        "scheme": "http",
        "url": "127.0.0.1",
        "port": port,
        "login_id": login_id,
        "password": password,
        "mfa_token": mfa_token,
        "request_timeout": 10,
    })


def session(d):
    user = d.login()
    me = d.users.get_user("me")
    out = d.logout()
    return {"login": user["username"], "me": me["username"], "logout": out["status"]}


def main():
    port, user, mfa_user, password, code = sys.argv[1:6]
    port = int(port)
    result = {"driver": mattermostdriver.__name__}
    result["plain"] = session(driver(port, user, password))
    try:
        driver(port, mfa_user, password).login()
        result["mfaWithoutCode"] = "logged in"
    except NoAccessTokenProvided as e:
        result["mfaWithoutCode"] = str(e)
    result["mfa"] = session(driver(port, mfa_user, password, code))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
