"""The remote virtual window in two real browsers, one on each site (issue 14, "Done when"): the demo kiosk calls,
the session rings at central and the demo approver answers; each side's remote video plays frames (Chromium's
fake camera and microphone); chat and the shared form go both ways; central asks for scans, the hall takes one
with its camera and uploads another as a file, and central sees them; central confirms the identity remotely
and accepts; the hall shows the accepted case and prints its voucher, and the case reaches central as any other.
Mute and camera off turn the tracks off and the other side is told. Both sites record the calls (REMOTE_RECORDING):
central's page uploads WebM recordings to the session's record. Then the calls go through a TURN server (coturn,
REMOTE_ICE_SERVERS with REMOTE_ICE_TRANSPORT_POLICY "relay") and connect through its relay."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD, USERS
from govservice.lib.idcard import check_char
from tests.browser_setup import login, wait_until
from tests.journey_helpers import PNG

from .journey import eventually
from .servers import clean, drop_database, free_port, make_sites, prepare_sites

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

KIOSK_TOKEN = "dev-terminal-tz-0001"  # the demo kiosk of 北京城市副中心政务服务中心
_CITIZEN = next(spec for spec in USERS if spec.username == "citizen")  # the demo citizen 张伟
CITIZEN_ID = _CITIZEN.id17 + check_char(_CITIZEN.id17)
# Every print call, in any frame of the page, noted at the top (a kiosk browser prints silently with
# --kiosk-printing; here the call itself is what is seen). The voucher prints from a frame holding the PDF.
PRINTS = (
    "window.print = function () { try { (window.top.__prints = window.top.__prints || []).push(location.href); }"
    " catch (e) {} };"
)
# The remote candidate types of the connection in use: [local, remote], e.g. ["relay", "relay"].
SELECTED_PAIR = """async () => {
  const stats = await window.remoteCall.pc.getStats();
  let pair = null;
  stats.forEach((r) => { if (r.type === "transport" && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); });
  if (!pair) stats.forEach((r) => { if (r.type === "candidate-pair" && r.state === "succeeded" && r.nominated) pair = r; });
  return pair ? [stats.get(pair.localCandidateId).candidateType, stats.get(pair.remoteCandidateId).candidateType] : null;
}"""
TRACKS_ON = "(kind) => window.remoteCall.stream.getTracks().filter((t) => t.kind === kind).map((t) => t.enabled)"
SENT_ON = (
    "(kind) => window.remoteCall.pc.getSenders().filter((s) => s.track && s.track.kind === kind)"
    ".map((s) => s.track.enabled)"
)
PLAYS = "(() => { const v = document.getElementById('remote-video'); return !!v && v.videoWidth > 0 && v.currentTime > 0; })()"


@pytest.fixture(scope="module")
def sites(tmp_path_factory, django_db_blocker):
    """Both sites as real servers (tests/e2e/conftest.py), with their static files collected first: these pages
    are scripts (gunicorn serves static files through WhiteNoise from STATIC_ROOT only)."""
    tmp = tmp_path_factory.mktemp("e2e-remote")
    logs = tmp / "logs"
    logs.mkdir()
    # Both sites record the calls: the hall's consent box asks for it, central stores what its page records.
    front, central = make_sites(tmp, extra_env={"REMOTE_RECORDING": "1"})
    with django_db_blocker.unblock():
        try:
            prepare_sites(front, central)
            for site in (front, central):
                site.manage("collectstatic", "--no-input", "-v", "0")
            central.sql("UPDATE exchange_peer SET base_url = %s WHERE code = 'BJ-TZ'", (front.url,))
            for site in (front, central):
                site.start(logs)
            for site in (front, central):
                site.wait_ready()
            yield front, central
        finally:
            for site in (front, central):
                site.stop()
                drop_database(site)
            clean(tmp)


def _no_csp_reports(page, reports: list[str]) -> None:
    """A script the Content-Security-Policy refuses, or one that throws, fails the test."""
    page.on(
        "console", lambda message: reports.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("pageerror", lambda error: reports.append(str(error)))


def _video_advances(page) -> tuple[int, float, float]:
    """The remote video's width and its time, twice, half a second apart."""
    first = page.evaluate("document.getElementById('remote-video').currentTime")
    page.wait_for_timeout(600)
    width, second = page.evaluate(
        "[document.getElementById('remote-video').videoWidth, document.getElementById('remote-video').currentTime]"
    )
    return width, first, second


def _hall_offers(central) -> int:
    """The restart offers the hall's page made (the ones central's log counts as a dropped connection)."""
    return central.sql(
        "SELECT count(*) FROM remote_sessionsignal WHERE sender = 'hall' AND kind = 'offer'"
        " AND (body->>'restart')::boolean AND NOT coalesce((body->>'retry')::boolean, false)"
    )[0][0]


def _reconnected_notes(central) -> list[str]:
    return [
        note for (note,) in central.sql("SELECT note FROM remote_sessionevent WHERE action = 'reconnected' ORDER BY id")
    ]


def test_a_kiosk_and_an_approver_hold_a_remote_session_that_ends_in_an_accepted_case(sites, browser, tmp_path):
    front, central = sites
    reports: list[str] = []

    hall_context = browser.new_context(locale="zh-CN")
    hall_context.add_init_script(PRINTS)
    hall = hall_context.new_page()
    _no_csp_reports(hall, reports)
    hall.goto(f"{front.url}/terminal/")
    hall.locator("input[name=token]").fill(KIOSK_TOKEN)
    hall.locator("input[name=token]").press("Enter")
    hall.locator("#remote-link").click()
    hall.get_by_label(re.compile("社会保障卡申领")).check()
    hall.get_by_label("请刷身份证").fill(CITIZEN_ID)
    # REMOTE_RECORDING: the consent asked for covers the recording.
    expect(hall.locator("label:has(#consent)")).to_contain_text("包括通话录像")
    hall.locator("#consent").check()
    hall.locator("#remote-call").click()
    expect(hall.locator("#call-state")).to_have_text("等待工作人员应答…")
    expect(hall.locator("#recording-state")).to_contain_text("正在录像")
    expect(hall.locator("#ring-left")).to_contain_text("咨询工单")

    staff = browser.new_context(locale="zh-CN").new_page()
    _no_csp_reports(staff, reports)
    login(staff, central, "approver", DEMO_PASSWORD)
    staff.goto(f"{central.url}/remote/")
    # The desk's queue refreshes itself: the ringing session appears with its matter and hall.
    row = staff.locator("#ringing tr[data-session]")
    expect(row).to_have_count(1, timeout=10000)
    expect(row).to_contain_text("社会保障卡申领")
    expect(row).to_contain_text("北京城市副中心政务服务中心")
    row.get_by_role("button", name="应答").click()
    expect(staff.locator("#registry-answer")).to_have_text("人口库比对：姓名与身份证号码一致")

    # Video and voice, browser to browser: each side's remote video plays frames.
    wait_until(hall, PLAYS, timeout=30)
    wait_until(staff, PLAYS, timeout=30)
    for page in (hall, staff):
        width, before, after = _video_advances(page)
        assert width > 0 and after > before
    expect(hall.locator("#call-state")).to_contain_text("通话中")
    expect(staff.locator("#call-state")).to_contain_text("通话中")
    # ICE trickled: the offer and the answer left without candidates, and each side's candidates crossed as
    # messages of their own.
    trickled = dict(
        central.sql("SELECT sender, count(*) FROM remote_sessionsignal WHERE kind = 'candidate' GROUP BY sender")
    )
    assert trickled.get("hall", 0) > 0 and trickled.get("central", 0) > 0, trickled
    descriptions = central.sql("SELECT body->>'sdp' FROM remote_sessionsignal WHERE kind IN ('offer', 'answer')")
    assert descriptions and not any("a=candidate" in sdp for (sdp,) in descriptions), descriptions

    # Chat, both ways, over the data channel.
    expect(hall.locator("#chat-input")).to_be_enabled()
    hall.locator("#chat-input").fill("您好，我来申领社保卡")
    hall.locator("#chat-send").click()
    expect(staff.locator("#chat-log")).to_contain_text("您好，我来申领社保卡")
    staff.locator("#chat-input").fill("好的，请先出示身份证")
    staff.locator("#chat-send").click()
    expect(hall.locator("#chat-log")).to_contain_text("好的，请先出示身份证")
    # Central's page records the call.
    expect(staff.locator("#recording-state")).to_have_text("● 正在录像")

    # Mute and camera off: the hall's tracks (and what its connection sends) are off, and central is told.
    assert hall.evaluate(TRACKS_ON, "audio") == [True] and hall.evaluate(SENT_ON, "audio") == [True]
    hall.locator("#mute").click()
    expect(hall.locator("#mute")).to_have_attribute("aria-pressed", "true")
    assert hall.evaluate(TRACKS_ON, "audio") == [False] and hall.evaluate(SENT_ON, "audio") == [False]
    assert hall.evaluate(TRACKS_ON, "video") == [True]
    expect(staff.locator("#remote-media")).to_have_text("对方已静音")
    hall.locator("#camera").click()
    expect(hall.locator("#camera")).to_have_text("打开摄像头")
    assert hall.evaluate(TRACKS_ON, "video") == [False] and hall.evaluate(SENT_ON, "video") == [False]
    expect(staff.locator("#remote-media")).to_have_text("对方已静音 · 对方已关闭摄像头")
    expect(staff.locator("#remote-session")).to_have_attribute("data-remote-video", "off")
    # Central does the same; the hall is told.
    staff.locator("#mute").click()
    assert staff.evaluate(TRACKS_ON, "audio") == [False] and staff.evaluate(SENT_ON, "audio") == [False]
    expect(hall.locator("#remote-media")).to_have_text("对方已静音")
    for page, button in ((hall, "#mute"), (hall, "#camera"), (staff, "#mute")):
        page.locator(button).click()
    assert hall.evaluate(TRACKS_ON, "audio") == [True] and hall.evaluate(TRACKS_ON, "video") == [True]
    assert staff.evaluate(TRACKS_ON, "audio") == [True]
    expect(staff.locator("#remote-media")).to_be_hidden()
    expect(hall.locator("#remote-media")).to_be_hidden()

    # The shared form, both ways, as it is typed: the matter's own (a required choice, marked so) and the contact part.
    expect(hall.locator('[data-field-row="bank"] .required-mark')).to_be_visible()
    hall.locator("#field-bank").select_option("北京银行")
    expect(staff.locator("#field-bank")).to_have_value("北京银行")
    hall.locator("#field-phone").type("13811112222", delay=20)
    expect(staff.locator("#field-phone")).to_have_value("13811112222")
    staff.locator("#field-address").fill("通州区运河东大街57号")
    expect(hall.locator("#field-address")).to_have_value("通州区运河东大街57号")
    # Central points at a field (the contact part's, then the matter's own); the hall sees where.
    staff.locator('[data-point="field:address"]').click()
    expect(hall.locator("#pointer")).to_contain_text("通讯地址")
    staff.locator('[data-point="field:bank"]').click()
    expect(hall.locator("#pointer")).to_contain_text("社保卡开户银行")
    expect(hall.locator('[data-field-row="bank"]')).to_have_class(re.compile("pointed"))

    # Scans: central asks, the hall takes one with its camera and uploads the other as a file.
    staff.locator('[data-scan-request="id-card"]').click()
    expect(hall.locator('li[data-material="id-card"]')).to_contain_text("工作人员请您扫描")
    hall.locator("#scan-material").select_option("id-card")
    hall.locator("#scan-capture").click()
    expect(hall.locator("#scan-result")).to_contain_text("已上传")
    link = staff.locator('a[data-scan-link="id-card"]')
    expect(link).to_be_visible(timeout=10000)
    seen = staff.request.get(central.url + link.get_attribute("href"))
    assert seen.status == 200 and seen.headers["content-type"] == "image/jpeg" and seen.body()[:2] == b"\xff\xd8"
    staff.locator('[data-scan-request="photo"]').click()
    photo = tmp_path / "照片.png"
    photo.write_bytes(PNG)
    hall.locator("#scan-material").select_option("photo")
    hall.locator("#scan-file").set_input_files(str(photo))
    hall.locator("#scan-upload").click()
    expect(staff.locator('a[data-scan-link="photo"]')).to_be_visible(timeout=10000)

    # The media connection drops mid-call, no page reloading: central's end of it is closed (which fires no
    # event at central). The hall's browser sees its peer stop answering (ICE consent checks: disconnected
    # within seconds), re-offers with an ICE restart, central answers, and both videos play again; the
    # session, its id and its state are what they were, and central's log records one renegotiation.
    session_url = hall.url
    [(session_id, status_before)] = central.sql("SELECT id::text, status FROM remote_remotesession")
    offers_before = _hall_offers(central)
    old_gen = staff.evaluate("window.remoteCall.gen")
    staff.evaluate("window.remoteCall.pc.close()")
    eventually(lambda: _hall_offers(central) > offers_before, timeout=60)
    connected_anew = (
        "(() => { const c = window.remoteCall; return !!c && !!c.pc && c.gen !== %s"
        " && c.pc.connectionState === 'connected'; })()"
    )
    for page in (hall, staff):
        wait_until(page, connected_anew % json.dumps(old_gen), timeout=60)
        wait_until(page, PLAYS, timeout=30)
        width, before, after = _video_advances(page)
        assert width > 0 and after > before
    assert hall.url == session_url
    assert central.sql("SELECT id::text, status FROM remote_remotesession") == [(session_id, status_before)]
    assert status_before == "active"
    expect(hall.locator("#chat-input")).to_be_enabled()  # the data channel is back too
    assert _reconnected_notes(central) == ["连接中断后重新协商"]

    # The hall's page reloads mid-call: the session goes on and the media come back.
    hall.reload()
    wait_until(hall, PLAYS, timeout=30)
    expect(hall.locator("#field-phone")).to_have_value("13811112222")
    # One line for the reload; the watchdog's re-asking while a connection is made adds none.
    assert _reconnected_notes(central) == ["连接中断后重新协商", "大厅页面重新加入会话"]

    # Identity confirmed remotely, then 远程受理.
    staff.locator("#identity-confirm").click()
    expect(staff.locator("#identity-state")).to_be_visible()
    staff.locator('input[name="outcome"][value="accepted"]').check()
    staff.locator("#conclude").click()
    expect(staff.locator("#call-state")).to_have_text("通话已结束")

    # The hall shows the accepted case with its voucher (made at the front when central's message arrives).
    expect(hall.locator("#case-number")).to_have_text(re.compile(r"^TZ\d+"), timeout=30000)
    # Accepted (or, by the time the page looks, already under review: central starts at once).
    expect(hall.locator("#case-status")).to_have_text(re.compile("^(已受理|审批中)$"))
    expect(hall.locator("#query-password")).to_have_text(re.compile(r"^\d{6}$"))
    number = hall.locator("#case-number").inner_text()
    voucher = hall.locator("#documents a").first
    expect(voucher).to_contain_text("受理凭证")
    pdf = hall.request.get(front.url + voucher.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    # The kiosk printed it by itself, as it prints a queue ticket: the print call came from the frame holding the
    # voucher's PDF, once; the button prints it again.
    voucher_url = front.url + voucher.get_attribute("href")
    wait_until(hall, "(window.__prints || []).length > 0", timeout=15)
    assert hall.evaluate("window.__prints") == [voucher_url]
    hall.locator("#documents [data-print-document]").first.click()
    wait_until(hall, "(window.__prints || []).length > 1", timeout=15)
    assert hall.evaluate("window.__prints") == [voucher_url, voucher_url]
    hall.screenshot(path=str(tmp_path / "hall.png"), full_page=True)

    # Accepted, and by now perhaps already under review at central (its worker tells the front at once).
    assert front.sql("SELECT status FROM intake_case WHERE number = %s", (number,))[0][0] in ("accepted", "in_review")
    clerk = front.sql(
        "SELECT u.real_name, u.is_active FROM intake_case c JOIN accounts_user u ON u.id = c.clerk_id WHERE c.number = %s",
        (number,),
    )
    assert clerk == [("刘洋", False)]
    # The case reaches central as any accepted case, and central's session log names it.
    eventually(lambda: central.sql("SELECT status FROM review_reviewcase WHERE front_number = %s", (number,)))
    eventually(lambda: central.sql("SELECT 1 FROM remote_remotesession WHERE case_number = %s", (number,)))
    # Its application form, as the hall filled it in, is on central's case page like any case's form.
    [(review_id,)] = central.sql("SELECT id FROM review_reviewcase WHERE front_number = %s", (number,))
    staff.goto(f"{central.url}/cases/{review_id}/")
    form_link = staff.locator("ul.materials a", has_text="远程申请表")
    expect(form_link).to_have_count(1)
    form_pdf = staff.request.get(central.url + form_link.get_attribute("href"))
    assert form_pdf.status == 200 and form_pdf.body().startswith(b"%PDF")
    form_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(form_pdf.body())).pages)
    for typed in ("社保卡开户银行", "北京银行", "13811112222", "通州区运河东大街57号"):
        assert typed in form_text, form_text

    # The call's recordings: one per connection (the drop, the hall's reload and the end each closed one), real
    # WebM files in central's storage, each in the session's log.
    recordings = eventually(
        lambda: (
            (
                rows := central.sql(
                    "SELECT s.id::text, r.id, r.file, r.size FROM remote_remotesession s JOIN"
                    " remote_sessionrecording r ON r.session_id = s.id WHERE s.case_number = %s"
                    " ORDER BY r.id",
                    (number,),
                )
            )
            and len(rows) >= 3
            and rows
        ),
        timeout=30,
    )
    media = Path(central.env["MEDIA_ROOT"])
    for session, recording, name, size in recordings:
        assert (media / name).is_file()  # in central's storage (encrypted at rest); read back through the site
        data = staff.request.get(f"{central.url}/remote/{session}/recordings/{recording}/").body()
        assert len(data) == size > 10_000 and data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64], name
    assert central.sql("SELECT count(*) FROM remote_sessionevent WHERE action = 'recorded'")[0][0] == len(recordings)
    staff.goto(f"{central.url}/remote/{recordings[0][0]}/log/")
    expect(staff.locator("#log-recordings li")).to_have_count(len(recordings))
    expect(staff.locator("#log-events")).to_contain_text("保存录像")
    assert reports == []


@pytest.fixture
def turn(tmp_path):
    """Debian's coturn (make system-packages installs it) on 127.0.0.1 with one static user, no TLS, relaying on
    loopback: an RTCIceServer for it. Its own empty configuration, not the system's /etc/turnserver.conf."""
    turnserver = shutil.which("turnserver")
    if turnserver is None:
        pytest.fail("turnserver (Debian's coturn) is missing: run `make system-packages`")
    port = free_port()
    relay_low = 50000 + (port % 100) * 100  # a range of its own, away from the ephemeral ports
    config = tmp_path / "turnserver.conf"
    config.write_text("")
    log = open(tmp_path / "turnserver.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            turnserver,
            "-n",
            "-c",
            str(config),
            "--listening-ip=127.0.0.1",
            f"--listening-port={port}",
            "--relay-ip=127.0.0.1",
            f"--min-port={relay_low}",
            f"--max-port={relay_low + 99}",
            "--lt-cred-mech",
            "--user=cw:turn-secret",
            "--realm=cloudwindow.test",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            f"--pidfile={tmp_path / 'turnserver.pid'}",
            "--log-file=stdout",
            "--simple-log",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        eventually(
            lambda: "Total General servers" in (tmp_path / "turnserver.log").read_text() or proc.poll(), timeout=15
        )
        assert proc.poll() is None, (tmp_path / "turnserver.log").read_text()
        yield {"urls": f"turn:127.0.0.1:{port}?transport=udp", "username": "cw", "credential": "turn-secret"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_the_call_connects_through_a_turn_server_when_only_relays_are_allowed(sites, browser, turn, tmp_path):
    front, central = sites
    # Central's web server starts again with the TURN server and the relay-only policy; both pages get them from it.
    central.stop_web()
    central.env.update({"REMOTE_ICE_SERVERS": json.dumps([turn]), "REMOTE_ICE_TRANSPORT_POLICY": "relay"})
    central.start_web(tmp_path)
    central.wait_ready()
    reports: list[str] = []

    hall = browser.new_context(locale="zh-CN").new_page()
    _no_csp_reports(hall, reports)
    hall.goto(f"{front.url}/terminal/")
    hall.locator("input[name=token]").fill(KIOSK_TOKEN)
    hall.locator("input[name=token]").press("Enter")
    hall.locator("#remote-link").click()
    hall.get_by_label(re.compile("社会保障卡申领")).check()
    hall.get_by_label("请刷身份证").fill(CITIZEN_ID)
    hall.locator("#consent").check()
    hall.locator("#remote-call").click()
    expect(hall.locator("#call-state")).to_have_text("等待工作人员应答…")
    # The text can show before the page's script has published its call (failed once in CI): wait for it.
    hall.wait_for_function("window.remoteCall !== undefined")
    assert hall.evaluate("[window.remoteCall.iceTransportPolicy, window.remoteCall.iceServers[0].username]") == [
        "relay",
        "cw",
    ]

    staff = browser.new_context(locale="zh-CN").new_page()
    _no_csp_reports(staff, reports)
    login(staff, central, "approver", DEMO_PASSWORD)
    staff.goto(f"{central.url}/remote/")
    row = staff.locator("#ringing tr[data-session]")
    expect(row).to_have_count(1, timeout=10000)
    row.get_by_role("button", name="应答").click()

    wait_until(hall, PLAYS, timeout=45)
    wait_until(staff, PLAYS, timeout=45)
    for page in (hall, staff):
        width, before, after = _video_advances(page)
        assert width > 0 and after > before
    # Only relayed candidates crossed, and the connection in use runs through the TURN server's relay on both sides.
    assert staff.evaluate("window.remoteCall.iceTransportPolicy") == "relay"
    candidates = central.sql(
        "SELECT g.sender, g.body->>'candidate' FROM remote_sessionsignal g JOIN remote_remotesession s"
        " ON s.id = g.session_id WHERE s.status = 'active' AND g.kind = 'candidate'"
    )
    assert {sender for sender, _ in candidates} == {"hall", "central"}, candidates
    assert all(" typ relay " in candidate for _, candidate in candidates), candidates
    assert hall.evaluate(SELECTED_PAIR) == ["relay", "relay"]
    assert staff.evaluate(SELECTED_PAIR) == ["relay", "relay"]
    expect(hall.locator("#chat-input")).to_be_enabled()  # the data channel, through the relay too

    hall.locator("#hangup").click()
    expect(staff.locator("#call-state")).to_have_text("通话已结束", timeout=15000)
    assert reports == []
