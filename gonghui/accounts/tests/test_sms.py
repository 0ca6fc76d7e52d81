"""SMS backends. The HTTP gateway is outside the system, so it is played by a real local http.server."""

import base64
import json
import logging
import os
import socket
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gonghui.accounts import sms

MOBILE = "13812345678"
MASKED = "138****5678"
TEXT = "您的登录验证码为 604193，5分钟内有效。"


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


# send_sms and the backends without a network ---------------------------------------------------------------

def test_send_sms_uses_the_configured_backend(settings):
    settings.SMS_BACKEND = "gonghui.accounts.sms.LocmemBackend"
    sms.send_sms(MOBILE, TEXT)
    sms.send_sms("13900001111", "第二条")
    assert [(m["to"], m["text"]) for m in sms.outbox] == [(MOBILE, TEXT), ("13900001111", "第二条")]
    assert sms.outbox[0]["at"].endswith("+08:00")  # local time (Asia/Shanghai), with its offset


def test_console_backend_prints_masked_number_and_text(settings, capsys):
    settings.SMS_BACKEND = "gonghui.accounts.sms.ConsoleBackend"
    sms.send_sms(MOBILE, TEXT)
    assert capsys.readouterr().out == f"短信 → {MASKED}：{TEXT}\n"


def test_file_backend_appends_json_lines_readable_by_owner_only(settings, tmp_path):
    path = tmp_path / "sms" / "outbox.jsonl"  # the directory does not exist yet
    settings.SMS_BACKEND = "gonghui.accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = path
    sms.send_sms(MOBILE, TEXT)
    sms.send_sms("13900001111", "第二条")
    messages = sms.read_outbox()
    assert [(m["to"], m["text"]) for m in messages] == [(MOBILE, TEXT), ("13900001111", "第二条")]
    assert messages[0]["at"].endswith("+08:00")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").count("\n") == 2
    assert TEXT in path.read_text(encoding="utf-8")  # Chinese as is, not \u escapes: readable with tail -f


def test_file_backend_tightens_mode_of_existing_file(tmp_path):
    path = tmp_path / "outbox.jsonl"
    path.write_text("")
    path.chmod(0o644)
    sms.FileBackend(path).send(MOBILE, TEXT)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sms.read_outbox(path) == [{"to": MOBILE, "text": TEXT, "at": sms.read_outbox(path)[0]["at"]}]


def test_read_outbox_without_file_is_empty(tmp_path):
    assert sms.read_outbox(tmp_path / "none.jsonl") == []


def test_file_backend_unwritable_raises_sms_error(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with caplog.at_level(logging.DEBUG, logger="gonghui.accounts.sms"), pytest.raises(sms.SmsError) as e:
        sms.FileBackend(blocker / "outbox.jsonl").send(MOBILE, TEXT)
    assert e.value.message == "短信发送失败，请稍后再试。"
    [record] = caplog.records
    assert record.getMessage().startswith(f"短信写入文件失败（{MASKED}）：")
    assert MOBILE not in caplog.text


def test_production_default_backend_is_the_gateway(tmp_path):
    """With DEBUG off and nothing set, codes go to the gateway, never to the console (and so to a log)."""
    env = {
        **os.environ,
        "DEBUG": "0", "SECRET_KEY": "x" * 50, "GONGHUI_VAR_DIR": str(tmp_path),
        "PII_ENCRYPTION_KEYS": "1:" + base64.b64encode(b"e" * 32).decode(),
        "PII_INDEX_KEY": base64.b64encode(b"i" * 32).decode(),
    }
    for name in ("SMS_BACKEND", "SMS_FILE_PATH", "SMS_GATEWAY_TIMEOUT", "SMS_GATEWAY_RETRIES", "SMS_SIGN"):
        env.pop(name, None)
    code = ("import config.settings as s; print(s.SMS_BACKEND, s.SMS_FILE_PATH, s.SMS_GATEWAY_TIMEOUT,"
            " s.SMS_GATEWAY_RETRIES, s.SMS_SIGN)")
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "gonghui.accounts.sms.HttpGatewayBackend", str(tmp_path / "sms" / "outbox.jsonl"), "5.0", "2", "【智慧工会】"
    ]


# The HTTP gateway ----------------------------------------------------------------------------------------

class Gateway:
    """A local HTTP server answering each POST with the next scripted status ("hang" waits for the test
    to end without answering); it records what it received."""

    def __init__(self, script: list):
        self.script = list(script)
        self.received: list[dict] = []
        self.release = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = gateway.script.pop(0) if gateway.script else 200
                if status == "hang":
                    gateway.release.wait(10)
                    return
                payload = json.dumps({"code": status, "msg": f"echo {MOBILE}"}).encode()  # a chatty gateway
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):  # the request line is no business of the test output
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    made = []

    def make(*script):
        made.append(Gateway(list(script)))
        return made[-1]

    yield make
    for g in made:
        g.close()


@pytest.fixture
def sleeps(monkeypatch):
    """The pauses between attempts, recorded instead of slept (the clock is outside the system)."""
    recorded: list[float] = []
    monkeypatch.setattr(sms.time, "sleep", recorded.append)
    return recorded


@pytest.fixture
def sms_log(caplog):
    caplog.set_level(logging.DEBUG, logger="gonghui.accounts.sms")
    return caplog


def assert_log_masks_everything(caplog):
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert MOBILE not in text
    assert "604193" not in text and "验证码" not in text
    assert "s3cret" not in text


def test_gateway_success_sends_json_and_bearer_token(settings, gateway, sleeps, sms_log):
    g = gateway(200)
    settings.SMS_BACKEND = "gonghui.accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = g.url
    settings.SMS_GATEWAY_TOKEN = "s3cret-token"
    settings.SMS_SIGN = "【某市总工会】"
    sms.send_sms(MOBILE, TEXT)
    [request] = g.received
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == "Bearer s3cret-token"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request["body"].decode("utf-8")) == {"mobile": MOBILE, "text": TEXT, "sign": "【某市总工会】"}
    assert sleeps == []
    assert [r.getMessage() for r in sms_log.records] == [f"短信已发送至 {MASKED}（网关状态 200）"]
    assert_log_masks_everything(sms_log)


def test_gateway_500_then_success_is_retried(gateway, sleeps, sms_log):
    g = gateway(500, 503, 204)
    sms.HttpGatewayBackend(url=g.url, token="s3cret", retries=2).send(MOBILE, TEXT)
    assert len(g.received) == 3
    assert [r["body"] for r in g.received] == [g.received[0]["body"]] * 3  # the same message each time
    assert sleeps == [0.5, 1.0]  # short, doubling
    assert [r.getMessage() for r in sms_log.records] == [
        f"短信网关返回 500（{MASKED}，第 1/3 次）",
        f"短信网关返回 503（{MASKED}，第 2/3 次）",
        f"短信已发送至 {MASKED}（网关状态 204）",
    ]
    assert_log_masks_everything(sms_log)


def test_gateway_5xx_every_time_raises_after_retries(gateway, sleeps, sms_log):
    g = gateway(500, 500, 500, 200)
    with pytest.raises(sms.SmsError) as e:
        sms.HttpGatewayBackend(url=g.url, token="s3cret", retries=2).send(MOBILE, TEXT)
    assert e.value.message == "短信发送失败，请稍后再试。"
    assert len(g.received) == 3
    assert sms_log.records[-1].getMessage() == f"短信发送失败：3 次尝试均未成功（{MASKED}）"
    assert_log_masks_everything(sms_log)


def test_gateway_400_is_not_retried(gateway, sleeps, sms_log):
    g = gateway(400, 200)
    with pytest.raises(sms.SmsError):
        sms.HttpGatewayBackend(url=g.url, token="s3cret", retries=2).send(MOBILE, TEXT)
    assert len(g.received) == 1
    assert sleeps == []
    assert [r.getMessage() for r in sms_log.records] == [f"短信发送失败：网关返回 400（{MASKED}），不重试"]
    assert_log_masks_everything(sms_log)


def test_gateway_redirect_is_an_error_not_followed(gateway, sleeps, sms_log):
    g = gateway(302)
    with pytest.raises(sms.SmsError):
        sms.HttpGatewayBackend(url=g.url, token="s3cret", retries=2).send(MOBILE, TEXT)
    assert len(g.received) == 1
    assert sms_log.records[-1].getMessage() == f"短信发送失败：网关返回 302（{MASKED}），不重试"


def test_gateway_timeout_raises_without_retry(gateway, sleeps, sms_log):
    g = gateway("hang", 200)
    with pytest.raises(sms.SmsError) as e:
        sms.HttpGatewayBackend(url=g.url, token="s3cret", timeout=0.3, retries=2).send(MOBILE, TEXT)
    assert e.value.message == "短信发送失败，请稍后再试。"
    assert len(g.received) == 1  # the gateway may have taken it: no second message
    assert [r.getMessage() for r in sms_log.records] == [f"短信发送失败：网关 0.3 秒内未应答（{MASKED}），不重试"]
    assert_log_masks_everything(sms_log)


def test_gateway_connection_refused_is_retried_then_raises(sleeps, sms_log):
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(sms.SmsError):
        sms.HttpGatewayBackend(url=f"http://127.0.0.1:{port}/", token="s3cret", retries=2).send(MOBILE, TEXT)
    assert sleeps == [0.5, 1.0]
    assert [r.getMessage() for r in sms_log.records] == [
        f"短信网关连接失败（{MASKED}，第 1/3 次）：ConnectionRefusedError",
        f"短信网关连接失败（{MASKED}，第 2/3 次）：ConnectionRefusedError",
        f"短信网关连接失败（{MASKED}，第 3/3 次）：ConnectionRefusedError",
        f"短信发送失败：3 次尝试均未成功（{MASKED}）",
    ]
    assert_log_masks_everything(sms_log)


def test_gateway_without_url_raises(settings, sms_log):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(sms.SmsError):
        sms.HttpGatewayBackend().send(MOBILE, TEXT)
    assert [r.getMessage() for r in sms_log.records] == [
        f"短信网关未配置（SMS_GATEWAY_URL 为空），未能发送短信至 {MASKED}"
    ]


def test_gateway_reads_its_settings(settings):
    settings.SMS_GATEWAY_URL = "http://sms.intranet/send"
    settings.SMS_GATEWAY_TOKEN = "t"
    settings.SMS_GATEWAY_TIMEOUT = 7.5
    settings.SMS_GATEWAY_RETRIES = 4
    settings.SMS_SIGN = "【测试】"
    backend = sms.HttpGatewayBackend()
    assert (backend.url, backend.token, backend.timeout, backend.retries, backend.sign) == (
        "http://sms.intranet/send", "t", 7.5, 4, "【测试】"
    )
