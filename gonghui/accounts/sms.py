"""Text messages (短信), for one-time login codes: `send_sms(mobile, text)` through the backend named by
the SMS_BACKEND setting, like Django's EMAIL_BACKEND.

- ``ConsoleBackend`` (the default with DEBUG on): prints the message, code included, to stdout.
- ``FileBackend``: one JSON line per message in SMS_FILE_PATH; browser tests read codes with `read_outbox()`.
- ``LocmemBackend``: appends to the module-level `outbox` list, for unit tests (like django.core.mail.outbox).
- ``HttpGatewayBackend`` (the default with DEBUG off): POSTs JSON to the intranet SMS gateway.

Rate limits per number and per address are the caller's (it keeps its own table); this module only sends.
The text of a login message is a secret and the number is personal data: neither is ever logged, only the
masked number and the outcome.
"""

import http.client
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from gonghui.common.errors import DomainError
from gonghui.common.pii import mask_mobile

logger = logging.getLogger(__name__)

# What LocmemBackend sent, oldest first: {"to", "text", "at"} as in the FileBackend's lines. Tests clear it.
outbox: list[dict[str, str]] = []


class SmsError(DomainError):
    """The message could not be sent (after retries); the Chinese message can be shown to the user as is."""

    def __init__(self, message: str = "短信发送失败，请稍后再试。"):
        super().__init__(message)


def send_sms(mobile: str, text: str) -> None:
    """Send `text` to the 11-digit `mobile` through the configured backend; SmsError if it cannot."""
    backend_class = import_string(settings.SMS_BACKEND)
    backend_class().send(mobile, text)


def _message(mobile: str, text: str) -> dict[str, str]:
    return {"to": mobile, "text": text, "at": timezone.localtime().isoformat()}


class ConsoleBackend:
    """Development: the code shows in the terminal running the server. stdout, not logging, so that the
    log (which may be shipped elsewhere) never holds a code."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, mobile: str, text: str) -> None:
        stream = self.stream or sys.stdout  # looked up at send time, so pytest's capsys sees it
        stream.write(f"短信 → {mask_mobile(mobile)}：{text}\n")
        stream.flush()


class FileBackend:
    """Appends {"to", "text", "at"} as one JSON line to SMS_FILE_PATH, readable only by its owner (it holds
    codes and full numbers)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, mobile: str, text: str) -> None:
        line = json.dumps(_message(mobile, text), ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.fchmod(fd, 0o600)  # also when the file was made earlier by something else
                os.write(fd, line.encode())  # one write with O_APPEND: concurrent senders do not interleave
            finally:
                os.close(fd)
        except OSError as e:
            logger.error("短信写入文件失败（%s）：%s", mask_mobile(mobile), e.strerror or type(e).__name__)
            raise SmsError() from None


def read_outbox(path: str | os.PathLike | None = None) -> list[dict[str, str]]:
    """The messages FileBackend wrote to `path` (default SMS_FILE_PATH), oldest first; [] when there are none."""
    path = Path(path or settings.SMS_FILE_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class LocmemBackend:
    def send(self, mobile: str, text: str) -> None:
        outbox.append(_message(mobile, text))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the body; a gateway that redirects is
    # misconfigured, so its 3xx is an error like any other non-2xx answer.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpGatewayBackend:
    """POST {"mobile", "text", "sign"} as JSON with ``Authorization: Bearer <token>`` to SMS_GATEWAY_URL.

    Success is a 2xx answer. A connection error (refused, reset, connect timeout) and a 5xx are retried
    SMS_GATEWAY_RETRIES times after a short, doubling pause; a 4xx is not (the request itself is wrong, the
    same request will fail again). Nor is a timeout waiting for the answer: the gateway may have accepted the
    message, and a retry would also make the user wait several timeouts in a row.
    """

    def __init__(self, *, url: str | None = None, token: str | None = None, timeout: float | None = None,
                 retries: int | None = None, sign: str | None = None, backoff: float = 0.5):
        self.url = settings.SMS_GATEWAY_URL if url is None else url
        self.token = settings.SMS_GATEWAY_TOKEN if token is None else token
        self.timeout = settings.SMS_GATEWAY_TIMEOUT if timeout is None else timeout
        self.retries = settings.SMS_GATEWAY_RETRIES if retries is None else retries
        self.sign = settings.SMS_SIGN if sign is None else sign
        self.backoff = backoff  # seconds before the first retry, doubled for each next one
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, mobile: str, text: str) -> None:
        masked = mask_mobile(mobile)
        if not self.url:
            logger.error("短信网关未配置（SMS_GATEWAY_URL 为空），未能发送短信至 %s", masked)
            raise SmsError()
        body = json.dumps({"mobile": mobile, "text": text, "sign": self.sign}, ensure_ascii=False).encode()
        attempts = 1 + max(self.retries, 0)
        # Only the masked number, the status and the kind of failure are logged: the gateway's answer and
        # urllib's messages may repeat the request, which holds the number and the code.
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                time.sleep(self.backoff * 2 ** (attempt - 2))
            try:
                status = self._post(body)
            except _Unreachable as e:
                logger.warning("短信网关连接失败（%s，第 %s/%s 次）：%s", masked, attempt, attempts, e)
                continue
            except TimeoutError:
                logger.error("短信发送失败：网关 %s 秒内未应答（%s），不重试", self.timeout, masked)
                raise SmsError() from None
            if 200 <= status < 300:
                logger.info("短信已发送至 %s（网关状态 %s）", masked, status)
                return
            if status < 500:
                logger.error("短信发送失败：网关返回 %s（%s），不重试", status, masked)
                raise SmsError()
            logger.warning("短信网关返回 %s（%s，第 %s/%s 次）", status, masked, attempt, attempts)
        logger.error("短信发送失败：%s 次尝试均未成功（%s）", attempts, masked)
        raise SmsError()

    def _post(self, body: bytes) -> int:
        """The gateway's HTTP status; _Unreachable when no answer came, TimeoutError when it came too late."""
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as e:  # a non-2xx answer
            e.close()
            return e.code
        except urllib.error.URLError as e:  # refused, unknown host, connect timeout: nothing was sent
            reason = e.reason
            raise _Unreachable(type(reason).__name__ if isinstance(reason, BaseException) else "URLError") from None
        except TimeoutError:  # sent, but no answer in time
            raise
        except (OSError, http.client.HTTPException) as e:  # connection dropped, garbled answer
            raise _Unreachable(type(e).__name__) from None


class _Unreachable(Exception):
    """No usable answer from the gateway; worth another try. Its text is the kind of failure only."""
