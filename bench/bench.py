#!/usr/bin/env python3
"""Rapport's benchmark: `make bench` runs this, prints a table and writes docs/benchmarks.md.

Every figure is a median and a p99 over repeated runs (with few runs, p99 is close to the
maximum: the run counts are printed). Peers from Debian's packages (abook, calcurse,
taskwarrior) are measured in the same run on comparable data, and our figures are given
as ratios to theirs.

The TUI figures come from a real pseudo-terminal at 120x40: the program's output is fed
to a terminal emulator (pyte) and the clock stops when the screen shows the expected text.
"""
import calendar, contextlib, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("RAPPORT_BIN", os.path.join(ROOT, ".build/release/rapport"))
BENCH_BIN = os.environ.get("RAPPORT_BENCH_BIN", os.path.join(ROOT, ".build/release/rapport-bench"))
NOW = "2026-11-20T15:00:00Z"
QUICK = os.environ.get("BENCH_QUICK") == "1"
TIERS = [("typical", 200, 2_000), ("heavy", 1_000, 20_000), ("stress", 10_000, 200_000)]
# BENCH_TIERS=typical (comma-separated) runs only those tiers and no peers, and leaves
# docs/benchmarks.md and bench/results.json alone: a check that the harness works.
if os.environ.get("BENCH_TIERS"):
    TIERS = [t for t in TIERS if t[0] in os.environ["BENCH_TIERS"].split(",")]
PARTIAL = bool(os.environ.get("BENCH_TIERS"))
COLS, ROWS = 120, 40

try:
    import pexpect  # noqa: E402
    import pyte  # noqa: E402
except ImportError:  # BENCH_ONLY=mail needs neither
    if os.environ.get("BENCH_ONLY") != "mail":
        raise


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# How many times each key sequence is typed per run that measures keys (see bench_rapport).
KEY_REPS = 5


def fig(xs):
    return {"median": statistics.median(xs), "p99": pct(xs, 99), "runs": len(xs)}


def env_for(store=None, extra=None):
    e = dict(os.environ)
    e.update({"TERM": "xterm-256color", "RAPPORT_NOW": NOW, "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
    e.pop("NO_COLOR", None)
    if store:
        e["RAPPORT_STORE"] = store
    if extra:
        e.update(extra)
    return e


class PtyRun:
    """A program in a pseudo-terminal, its output rendered by pyte."""

    def __init__(self, argv, env, cwd=None):
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.t0 = time.perf_counter()
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, cwd=cwd, dimensions=(ROWS, COLS))
        self.child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default

    def pump(self, timeout=0.05):
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
            self.stream.feed(data)
            return len(data)
        except pexpect.TIMEOUT:
            return 0
        except pexpect.EOF:
            return -1

    def text(self):
        return "\n".join(self.screen.display)

    def wait_for(self, needle, timeout=30):
        """Seconds from spawn until the screen shows `needle`.

        The clock stops when the bytes that draw `needle` have arrived (a cheap search of
        the raw output), so the emulator's own cost (pyte renders the whole screen in
        Python, several milliseconds) is not counted; the screen is then checked with pyte
        and the wait goes on if it does not show `needle` after all."""
        deadline = time.perf_counter() + timeout
        raw, caught_up = b"", False
        want = needle.encode()
        while time.perf_counter() < deadline:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.01)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                break
            at = time.perf_counter() - self.t0
            raw += data
            if want in raw or caught_up:
                self.stream.feed(raw)  # the emulator catches up only now
                raw, caught_up = b"", True
                if needle in self.text():
                    return at
        raise RuntimeError(f"screen never showed {needle!r}; last screen:\n{self.text()}")

    def send(self, key, settle=0.3):
        """Sends a key that may not change the screen (Esc), and lets output settle."""
        self.child.send(key)
        end = time.perf_counter() + settle
        while time.perf_counter() < end:
            self.pump(0.02)

    def key_to_output(self, key, timeout=5):
        """Seconds from writing `key` until the first byte of the answering frame."""
        while self.pump(0.02) > 0:  # drain
            pass
        t = time.perf_counter()
        self.child.send(key)
        deadline = t + timeout
        while time.perf_counter() < deadline:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.001)
                if data:
                    dt = time.perf_counter() - t
                    self.stream.feed(data)
                    return dt
            except pexpect.TIMEOUT:
                continue
        raise RuntimeError(f"no frame after key {key!r}")

    def peak_rss_kb(self):
        try:
            with open(f"/proc/{self.child.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None

    def close(self, quit_keys="q"):
        try:
            self.child.send(quit_keys)
            self.child.expect(pexpect.EOF, timeout=5)
        except Exception:
            self.child.kill(signal.SIGKILL)
        self.child.close(force=True)


def time_cmd(argv, env, runs, cwd=None, stdin=None, before=None):
    xs = []
    for _ in range(runs):
        if before:
            before()
        t = time.perf_counter()
        r = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, input=stdin)
        xs.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise RuntimeError(f"{argv} exited {r.returncode}: {r.stderr.decode()[:300]}")
    return xs


# ---------------------------------------------------------------- Rapport

def make_store(root, name, recruiters, messages):
    store = os.path.join(root, name)
    subprocess.run([BIN, "demo", "--store", store, "--recruiters", str(recruiters), "--messages", str(messages), "--seed", "1"],
                   env=env_for(), check=True, stdout=subprocess.DEVNULL)
    listing = json.loads(subprocess.run([BIN, "list", "--json", "--sort", "name", "--store", store], env=env_for(),
                                        check=True, capture_output=True).stdout)
    return store, listing


def bench_rapport(root, tier, recruiters, messages, runs):
    out = {}
    store, listing = make_store(root, tier, recruiters, messages)
    settle()  # the new store's own writeback is not the first frame's time
    marker = "Recruiters"
    # 1. cold start to first complete frame (the recruiter list shows a recruiter's name).
    first_name = sorted(listing, key=lambda r: -r["urgency"])[0]["name"][:10] if listing else marker
    cold, rss, keys = [], [], {"move": [], "pane": [], "search": [], "open": []}
    inside = []  # key read → frame drawn, as the program itself timed it (RAPPORT_KEY_TRACE)
    trace = os.path.join(root, f"{tier}.keytrace")
    for i in range(runs):
        typing = i < max(1, runs // 2)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(trace)
        p = PtyRun([BIN, "--store", store], env_for(store, {"RAPPORT_KEY_TRACE": trace} if typing else None))
        try:
            try:
                cold.append(p.wait_for(marker, timeout=60))
            except RuntimeError as e:
                last = e.args[0].splitlines()
                print(f"bench: the TUI did not show its first frame: {' '.join(l.strip() for l in last[1:] if l.strip())[:200]}", file=sys.stderr)
                break
            # 2. keystroke to frame: each sequence KEY_REPS times per run, so that a p99
            # is taken over about a hundred keys of each kind, not read off the slowest of twenty.
            if typing:
                for _ in range(10 * KEY_REPS):
                    keys["move"].append(p.key_to_output("j"))
                for _ in range(3 * KEY_REPS):  # Recruiters -> Messages -> Deadlines -> Recruiters
                    keys["pane"].append(p.key_to_output("\t"))
                for _ in range(KEY_REPS):
                    keys["open"].append(p.key_to_output("\r"))  # open the selected recruiter's thread
                    p.key_to_output("1")  # back to Recruiters (unmeasured)
                    p.key_to_output("j")  # the next recruiter, whose thread is not open yet (unmeasured)
                p.send("\x1b")
                for _ in range(KEY_REPS):
                    try:
                        p.key_to_output("/", timeout=1)
                        for ch in "dana":
                            keys["search"].append(p.key_to_output(ch))
                        p.send("\x1b")
                    except RuntimeError:
                        break
            r = p.peak_rss_kb()
            if r:
                rss.append(r / 1024)
        finally:
            p.close()
        if typing and os.path.exists(trace):
            with open(trace) as f:
                inside += [(int(b) - int(a)) / 1e9 for a, b in (line.split() for line in f if line.strip())]
    if cold:
        out["cold_start"] = fig(cold)
    if inside:
        out["key_inside"] = fig(inside)
    for k, v in keys.items():
        if v:
            out[f"key_{k}"] = fig(v)
    if rss:
        out["peak_rss_mb"] = fig(rss)
    # 3. one acknowledged mutation as a whole process (`rapport log`, `rapport reply`).
    target = listing[0]["id"][:8]
    out["log_process"] = fig(time_cmd([BIN, "log", target, "--in", "--store", store], env_for(store), runs * 2))
    out["reply_process"] = fig(time_cmd([BIN, "reply", target, "--store", store], env_for(store), runs * 2))
    # `rapport done` on a different deadline each run (a deadline done is gone).
    due = json.loads(subprocess.run([BIN, "due", "--json", "--store", store], env=env_for(store), check=True,
                                    capture_output=True).stdout)
    done = []
    for d in [d for d in due if d.get("kind") in ("reply", "follow-up", "expectation")][:runs * 2]:
        done += time_cmd([BIN, "done", d["id"], "--store", store], env_for(store), 1)
    if done:
        out["done_process"] = fig(done)
    # 3b. the open that matters: the first after another process wrote (a `rapport log`
    # in between, then the compaction a TUI's quit makes).
    cold_w = []
    for _ in range(runs):
        subprocess.run([BIN, "log", target, "--in", "--store", store], env=env_for(store), check=True, stdout=subprocess.DEVNULL)
        p = PtyRun([BIN, "--store", store], env_for(store))
        try:
            cold_w.append(p.wait_for(marker, timeout=60))
        except RuntimeError:
            break
        finally:
            p.close()
    if cold_w:
        out["cold_start_after_write"] = fig(cold_w)
    # 4. whole-process reads.
    # `due --statusline`: with no status.cache (it loads the store, then writes the cache),
    # and answered from the cache (the common case for a status bar polling every few seconds).
    cache = os.path.join(store, "status.cache")
    drop = lambda: os.path.exists(cache) and os.remove(cache)
    statusline = [BIN, "due", "--statusline", "--store", store]
    out["due_statusline"] = fig(time_cmd(statusline, env_for(store), runs * 2, before=drop))
    out["due_statusline_hit"] = fig(time_cmd(statusline, env_for(store), runs * 2))
    # How long a cache stays valid a minute after the data's "now" (until the next moment a
    # count can change: a deadline falling due, a risk onset, midnight), in hours.
    drop()
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(time.strptime(NOW, "%Y-%m-%dT%H:%M:%SZ")) + 60))
    subprocess.run(statusline, env=env_for(store, {"RAPPORT_NOW": later}), check=True, stdout=subprocess.DEVNULL)
    with open(cache) as f:
        lines = f.read().split("\n")
    out["statusline_window_h"] = (float(lines[4]) - float(lines[3])) / 3600
    out["list_json"] = fig(time_cmd([BIN, "list", "--json", "--store", store], env_for(store), runs))
    # 5. in process: open, compact, append+fsync.
    if os.path.exists(BENCH_BIN):
        r = subprocess.run([BENCH_BIN, store, str(max(20, runs * 5))], env=env_for(store), capture_output=True, check=True)
        for k, v in json.loads(r.stdout).items():
            out[k] = fig(v)
        # Each compaction's longest write, for the report (the row takes their median).
        out["write_during_compaction"]["samples"] = sorted(json.loads(r.stdout)["write_during_compaction"])
    return out


# ---------------------------------------------------------------- peers

def peer_abook(root, runs, n=10_000):
    home = os.path.join(root, "abook-home")
    os.makedirs(os.path.join(home, ".abook"), exist_ok=True)
    book = os.path.join(home, ".abook", "addressbook")
    with open(book, "w") as f:
        f.write("# abook addressbook file\n\n[format]\nprogram=abook\nversion=0.6.1\n\n")
        for i in range(n):
            f.write(f"[{i}]\nname=Contact {i:05d} Recruiter\nemail=c{i}@example.com\n\n")
    open(os.path.join(home, ".abook", "abookrc"), "w").close()
    xs = []
    for _ in range(runs):
        p = PtyRun(["abook", "--datafile", book], env_for(extra={"HOME": home}))
        try:
            xs.append(p.wait_for("Contact 00000", timeout=30))
        finally:
            p.close("Q")
    return {"abook_first_frame": fig(xs)}


def peer_calcurse(root, runs, n=10_000):
    d = os.path.join(root, "calcurse")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "todo"), "w") as f:
        for i in range(n):
            f.write(f"[{i % 10}] To-do number {i:05d}\n")
    open(os.path.join(d, "apts"), "w").close()
    xs = []
    for _ in range(runs):
        p = PtyRun(["calcurse", "-D", d], env_for(extra={"HOME": root}))
        try:
            xs.append(p.wait_for("To-do number", timeout=30))
        finally:
            p.close("Q")
            subprocess.run(["pkill", "-f", f"calcurse -D {d}"], stderr=subprocess.DEVNULL)
    return {"calcurse_first_frame": fig(xs)}


def peer_task(root, runs, n=10_000):
    d = os.path.join(root, "task")
    os.makedirs(d, exist_ok=True)
    rc = os.path.join(d, "taskrc")
    with open(rc, "w") as f:
        f.write(f"data.location={d}/data\nconfirmation=off\nverbose=nothing\nhooks=off\ngc=off\n")
    env = env_for(extra={"TASKRC": rc, "HOME": d})
    tasks = [{"description": f"Follow up with recruiter {i}", "status": "pending", "entry": "20260101T000000Z",
              "uuid": f"00000000-0000-4000-8000-{i:012d}", "due": "20261201T000000Z", "project": "jobs"} for i in range(n)]
    subprocess.run(["task", "import", "-"], input=json.dumps(tasks).encode(), env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nxt = time_cmd(["task", "next"], env, runs)
    ann = time_cmd(["task", "1", "annotate", "called back"], env, runs)
    return {"task_next": fig(nxt), "task_annotate": fig(ann)}


# ---------------------------------------------------------------- report

def empty_first_frame(root, runs):
    """First frame of an empty store: the fixed start (runtime, Foundation, ncurses, locale)."""
    store = os.path.join(root, "empty")
    os.makedirs(store, exist_ok=True)
    xs = []
    for _ in range(runs):
        p = PtyRun([BIN, "--store", store], env_for(store))
        try:
            xs.append(p.wait_for("Welcome to Rapport", timeout=30))  # an empty store's first screen
        except RuntimeError:
            break
        finally:
            p.close()
    return fig(xs) if xs else None


def ratio_rows(results, peers):
    """Each target of the performance issue: the figure, its ratio, the target, met or not."""
    def med(tier, key):
        f = results.get(tier, {}).get(key)
        return f["median"] * 1000 if f else None

    def p99(tier, key):
        f = results.get(tier, {}).get(key)
        return f["p99"] * 1000 if f else None

    rows = []

    def add(label, a, b, op, target, how):
        if a is None or b is None:
            rows.append(f"| {label} | — | {target} | not measured |")
            return
        v = op(a, b)
        ok = v <= how
        unit = "ms" if op is sub else "×"
        rows.append(f"| {label} | {a:.1f} vs {b:.1f} ms → {v:.2f}{' ' + unit if unit == 'ms' else unit} | {target} | {'met' if ok else 'NOT met'} |")

    div = lambda a, b: a / b
    abook = peers.get("abook_first_frame", {}).get("median")
    abook = abook * 1000 if abook else None
    empty = (results.get("empty") or {}).get("cold_start")
    empty = empty["median"] * 1000 if empty else None
    for key, what in (("cold_start", "first frame"), ("cold_start_after_write", "first frame after a write")):
        add(f"{what}, heavy / abook 10 000", med("heavy", key), abook, div, "≤ 1.0×", 1.0)
        add(f"{what}, heavy − empty store", med("heavy", key), empty, sub, "≤ 5 ms (if the fixed start ≥ abook)", 5.0)
        add(f"{what}, stress / heavy", med("stress", key), med("heavy", key), div, "≤ 3×", 3.0)
    for key, what in (("log_process", "`rapport log`"), ("reply_process", "`rapport reply`"), ("done_process", "`rapport done`")):
        add(f"{what}, heavy / typical", med("heavy", key), med("typical", key), div, "≤ 1.5×", 1.5)
        add(f"{what}, stress / typical", med("stress", key), med("typical", key), div, "≤ 2×", 2.0)
    add("`due --statusline` no cache, heavy / typical", med("heavy", "due_statusline"), med("typical", "due_statusline"), div, "≤ 1.5×", 1.5)
    for t, _, _ in TIERS:
        if t not in results:
            continue
        ks = [p99(t, k) for k in ("key_move", "key_pane", "key_search", "key_open") if p99(t, k) is not None]
        if not ks:
            rows.append(f"| key → frame p99 (worst key), {t} | — | ≤ 5 ms | not measured |")
            continue
        worst = max(ks)
        rows.append(f"| key → frame p99 (worst key), {t} | {worst:.1f} ms | ≤ 5 ms | {'met' if worst <= 5 else 'NOT met'} |")
        if p99(t, "key_inside") is not None:
            # Not a target: the program's own part of the figure above (RAPPORT_KEY_TRACE).
            rows.append(f"| of which inside the program (key read → frame drawn), p99, {t} | {p99(t, 'key_inside'):.1f} ms | — | for reading the row above |")
    for t, _, _ in TIERS:
        # Compaction runs on a thread of its own; a write made meanwhile (what the TUI's
        # thread does) waits only for its brief locked steps, not the whole compaction. What
        # a write could have waited for the compaction is what it took beyond a write made
        # with no compaction running (its own append and fsync, the slowest of the plain
        # writes: their p99). Until December 1 the whole write was compared with the
        # compaction, which at typical (a compaction of ~20 ms) is one fsync's noise. Since
        # December 1 (eighth session) rapport-bench makes five such compactions and the row
        # takes the median of their longest writes (one longest write is a maximum, and one
        # slow fsync of the machine's decides it); all five are printed.
        during, plain, comp = med(t, "write_during_compaction"), p99(t, "append_fsync"), med(t, "compact")
        label = f"longest write during a compaction (median of 5), beyond the slowest write without one / the compaction, {t}"
        if None in (during, plain, comp):
            rows.append(f"| {label} | — | ≤ 0.1× | not measured |")
            continue
        excess = max(0.0, during - plain)
        v = excess / comp
        samples = results.get(t, {}).get("write_during_compaction", {}).get("samples") or []
        each = f" (each: {', '.join(f'{x * 1000:.1f}' for x in samples)})" if samples else ""
        rows.append(f"| {label} | {during:.1f}{each} − {plain:.1f} = {excess:.1f} ms vs {comp:.1f} ms → {v:.2f}× | ≤ 0.1× | {'met' if v <= 0.1 else 'NOT met'} |")
    rss = results.get("stress", {}).get("peak_rss_mb")
    if rss:
        rows.append(f"| peak RSS of the TUI, stress | {rss['median']:.0f} MB | ≤ 250 MB | {'met' if rss['median'] <= 250 else 'NOT met'} |")
    return ["| target | measured → ratio | target | |", "|---|---|---|---|"] + rows


def sub(a, b):
    return a - b


TARGETS = {  # figure -> (typical, heavy, stress) in ms or MB
    "cold_start": (25, 50, 250), "key_move": (2, 3, 5), "log_process": (5, 5, 10),
    "append_fsync": (5, 5, 10), "due_statusline": (20, 30, 150), "due_statusline_hit": (20, 30, 150), "peak_rss_mb": (30, 60, 250),
}
LABELS = [
    ("cold_start", "cold start → first frame (pty 120×40)", "ms"),
    ("key_move", "key → frame: move selection", "ms"),
    ("key_pane", "key → frame: switch pane", "ms"),
    ("key_search", "key → frame: search character", "ms"),
    ("key_open", "key → frame: open recruiter", "ms"),
    ("key_inside", "key read → frame drawn, inside the program (every key typed)", "ms"),
    ("append_fsync", "mutation acknowledged (append+fsync, in process)", "ms"),
    ("cold_start_after_write", "first frame after a `rapport log` by another process", "ms"),
    ("log_process", "`rapport log` (whole process)", "ms"),
    ("reply_process", "`rapport reply` (whole process)", "ms"),
    ("done_process", "`rapport done` (whole process)", "ms"),
    ("due_statusline", "`rapport due --statusline`, no cache (whole process)", "ms"),
    ("due_statusline_hit", "`rapport due --statusline`, from status.cache", "ms"),
    ("list_json", "`rapport list --json` (whole process)", "ms"),
    ("open_store", "open store (in process)", "ms"),
    ("compact", "compact (in process)", "ms"),
    ("write_during_compaction", "longest write while another store compacts (in process)", "ms"),
    ("peak_rss_mb", "peak RSS of the TUI", "MB"),
]


# ---------------------------------------------------------------- mail

def make_maildir(path, n=10_000, senders=200):
    """n messages from `senders` people (a third with a recruiter signature), in cur/."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    base = calendar.timegm((2026, 1, 1, 9, 0, 0))
    for i in range(n):
        s = i % senders
        sig = "Senior Technical Recruiter, Agency %d" % s if s % 3 == 0 else "Engineer"
        t = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(base + i * 600))
        body = ("From: Person %d <p%d@example%d.com>\nTo: Me <me@example.com>\nSubject: Message %d about a role\n"
                "Date: %s\nMessage-ID: <bench%d@example.com>\nContent-Type: text/plain; charset=utf-8\n\n"
                "Hello, this is message %d. Are you open to a new position?\n\n-- \nPerson %d\n%s\n"
                % (s, s, s, i, t, i, i, s, sig))
        with open(os.path.join(path, "cur", "%d.M%dP1.bench:2,S" % (base + i, i)), "w") as f:
            f.write(body)


def bench_mail(root, runs, n=10_000):
    """`rapport ingest --maildir` on n messages: the first scan and a re-scan with nothing
    new, in messages per second, beside `notmuch new` on the same maildir."""
    out = {}
    maildir = os.path.join(root, "mail", "INBOX")
    make_maildir(maildir, n)
    firsts = []
    for k in range(max(1, runs // 3)):
        store = os.path.join(root, "mailstore%d" % k)
        firsts += time_cmd([BIN, "ingest", "--maildir", maildir, "--me", "me@example.com"], env_for(store), 1)
    out["ingest_first"] = fig(firsts)
    out["ingest_first_msgs_per_s"] = n / statistics.median(firsts)
    out["ingest_rescan"] = fig(time_cmd([BIN, "ingest", "--maildir", maildir], env_for(os.path.join(root, "mailstore0")), runs))
    if shutil.which("valgrind") and os.path.exists(BENCH_BIN):
        # `rapport` exits through dispatchMain, which valgrind does not survive: the check
        # a re-scan makes is counted in rapport-bench (the same library code), both ways.
        store = os.path.join(root, "mailstore0")
        check = [BENCH_BIN, "mail-rescan", os.path.join(store, "mail-scan.state"), store, maildir]
        out["ingest_rescan_ir"] = instructions(check, env_for(store))
        out["ingest_rescan_full_ir"] = instructions(check + ["full"], env_for(store))
    if shutil.which("notmuch"):
        firsts = []
        for k in range(max(1, runs // 3)):
            cfg = os.path.join(root, "notmuch-config%d" % k)
            with open(cfg, "w") as f:
                f.write("[database]\npath=%s\n[user]\nprimary_email=me@example.com\n[new]\ntags=inbox;\n" % os.path.join(root, "mail"))
            shutil.rmtree(os.path.join(root, "mail", ".notmuch"), ignore_errors=True)
            firsts += time_cmd(["notmuch", "new", "--quiet"], env_for(extra={"NOTMUCH_CONFIG": cfg}), 1)
        out["notmuch_first"] = fig(firsts)
        out["notmuch_first_msgs_per_s"] = n / statistics.median(firsts)
        out["notmuch_rescan"] = fig(time_cmd(["notmuch", "new", "--quiet"], env_for(extra={"NOTMUCH_CONFIG": cfg}), runs))
    return out


def instructions(argv, env):
    """Instructions executed by one run of argv under callgrind (whole process, start-up
    included): a figure that does not depend on how loaded the machine is."""
    with tempfile.NamedTemporaryFile(prefix="callgrind-", delete=False) as f:
        out = f.name
    try:
        r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:  # a failed run (or an operation this build does not have) counts nothing
            return None
        for line in r.stderr.splitlines():
            if "Collected :" in line:
                return int(line.split(":")[-1].strip())
        return None
    finally:
        os.unlink(out)


# What `rapport-bench STORE OP` does once, under callgrind (bench/callgrind.sh does the same
# by hand): the instruction count of each figure, repeatable on a loaded machine.
CG_OPS = [("open", "open the store"), ("log", "`rapport log` (open, append, fsync)"),
          ("reply", "`rapport reply`"), ("done", "`rapport done`"),
          ("status", "`due --statusline` without status.cache, the rules run for every recruiter"),
          ("statusline", "`due --statusline` without status.cache, rules.cache written by the previous line"),
          ("frame", "the TUI's first frame (120×40), the rules run for every recruiter"),
          ("framecache", "the TUI's first frame as it runs, rules.cache written by an earlier run")]


def callgrind_counts(root, stores):
    """{op: {tier: instructions}} for CG_OPS on a copy of each tier's store (the copy's
    store.cache written first by one plain open: a copy is another inode)."""
    if not shutil.which("valgrind") or not os.path.exists(BENCH_BIN):
        return {}
    # valgrind 3.19 cannot read the DWARF 5 debug info Swift emits: a copy without it.
    binary = os.path.join(root, "rapport-bench-nodebug")
    subprocess.run(["objcopy", "--strip-debug", BENCH_BIN, binary], check=True)
    out = {}
    for tier, store in stores.items():
        for op, _ in CG_OPS:
            copy = os.path.join(root, f"cg-{tier}")
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(store, copy, symlinks=True)
            env = env_for(copy)
            subprocess.run([binary, copy, "open"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if op in ("statusline", "framecache"):
                # A status bar's previous line left rules.cache (and status.cache, dropped).
                subprocess.run([binary, copy, op], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(copy, "status.cache"))
            n = instructions([binary, copy, op], env)
            if n:
                out.setdefault(op, {})[tier] = n
            shutil.rmtree(copy, ignore_errors=True)
    return out


def callgrind_table(cg):
    if not cg:
        return ""
    rows = ["| instructions (callgrind, one run, whole process) | " + " | ".join(f"{t} {r // 1000 if r >= 1000 else r}{'k' if r >= 1000 else ''}/{m // 1000}k" for t, r, m in TIERS)
            + " | heavy / typical | stress / typical |", "|---|---|---|---|---|---|"]
    for op, label in CG_OPS:
        c = cg.get(op)
        if not c:
            continue
        cells = [("%.1f M" % (c[t] / 1e6)) if t in c else "—" for t, _, _ in TIERS]
        ratio = lambda a, b: ("%.2f×" % (c[a] / c[b])) if a in c and b in c else "—"
        rows.append(f"| {label} (`rapport-bench STORE {op}`) | " + " | ".join(cells) + f" | {ratio('heavy', 'typical')} | {ratio('stress', 'typical')} |")
    return "\n".join(rows)


def mail_table(m, n=10_000):
    def ir(k):
        return "%.1f M" % (m[k] / 1e6) if m.get(k) else "—"
    rows = ["| mail: %d-message maildir | first scan (median / p99 ms) | messages/s | re-scan, nothing new (median / p99 ms) |" % n,
            "|---|---|---|---|",
            "| `rapport ingest --maildir` | %s | %.0f | %s |" % (cell(m["ingest_first"], "ms"), m["ingest_first_msgs_per_s"],
                                                            cell(m["ingest_rescan"], "ms"))]
    if "notmuch_first" in m:
        rows.append("| `notmuch new` (peer) | %s | %.0f | %s |" % (cell(m["notmuch_first"], "ms"), m["notmuch_first_msgs_per_s"],
                                                               cell(m["notmuch_rescan"], "ms")))
    if m.get("ingest_rescan_ir"):
        rows.append("")
        rows.append("The re-scan's check under callgrind (rapport-bench mail-rescan, whole process): %s instructions "
                    "(decoding the whole state instead: %s)." % (ir("ingest_rescan_ir"), ir("ingest_rescan_full_ir")))
    return "\n".join(rows)


def cell(f, unit):
    if not f:
        return "—"
    scale = 1000 if unit == "ms" else 1
    return f"{f['median'] * scale:.1f} / {f['p99'] * scale:.1f}"


def settle(root=None, drop=()):
    """Between parts of the run: removes what the last part left that no later part reads,
    writes every dirty page to disk (`sync`) and waits a moment, so that one part's writeback
    (the mail part's maildir and notmuch database are hundreds of megabytes) is not measured
    as the next part's time. Added on December 1, when the typical tier, which follows the
    mail part, came out about twice as slow as in a run of its own; it did not end that (the
    typical tier still met the VM's noisy periods in two later runs, docs/benchmarks.md),
    it only keeps one part's writes out of the next part's figures."""
    for d in drop:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)
    os.sync()
    time.sleep(3)


class MachineWatch:
    """What the machine itself did while a part ran (not a figure of ours, nothing is
    dropped or retried because of it): the hypervisor's steal time from /proc/stat, sampled
    every half second, and the CPU time of the kernel's worker threads (kworker). On this VM
    both come in bursts that slow every program; a tier that met one shows it here
    (docs/benchmarks.md, eighth pass)."""

    def __init__(self):
        import threading
        self.samples = []  # (time, steal share of the busiest core in the last half second, steal, total)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def cpus():
        out = {}
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith("cpu") and line[3].isdigit():
                    v = list(map(int, line.split()[1:9]))
                    out[line.split()[0]] = (v[7], sum(v))
        return out

    def run(self):
        prev = self.cpus()
        while not self.stop.wait(0.5):
            cur = self.cpus()
            worst, steal, total = 0.0, 0, 0
            for c, (st, tot) in cur.items():
                ds, dt = st - prev[c][0], tot - prev[c][1]
                steal, total = steal + ds, total + dt
                if dt > 0:
                    worst = max(worst, ds / dt)
            self.samples.append((time.time(), worst, steal, total))
            prev = cur

    @staticmethod
    def kworker_ticks():
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    text = f.read()
            except OSError:
                continue
            name = text[text.find("(") + 1:text.rfind(")")]
            if name.startswith("kworker"):
                fields = text[text.rfind(")") + 2:].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total

    def begin(self):
        return time.time(), self.kworker_ticks()

    def summary(self, began):
        t0, k0 = began
        inside = [s for s in self.samples if s[0] >= t0]
        steal, total = sum(s[2] for s in inside), sum(s[3] for s in inside)
        ticks = os.sysconf("SC_CLK_TCK")
        return {"steal_pct": 100 * steal / total if total else 0.0,
                "steal_worst_half_second_pct": 100 * max((s[1] for s in inside), default=0.0),
                "kworker_cpu_ms": (self.kworker_ticks() - k0) * 1000 / ticks,
                "seconds": time.time() - t0}


def main():
    if not os.path.exists(BIN):
        sys.exit(f"bench: {BIN} not found; run `swift build -c release` first")
    root = tempfile.mkdtemp(prefix="rapport-bench-")
    runs = 3 if QUICK else 10
    results, peers = {}, {}
    if os.environ.get("BENCH_ONLY") == "mail":  # just the mail figures, printed, nothing written
        try:
            print(mail_table(bench_mail(root, runs)))
        finally:
            shutil.rmtree(root, ignore_errors=True)
        return
    mail = {}
    cg = {}
    watch = MachineWatch()
    try:
        if not PARTIAL:
            print("… mail: 10 000-message maildir", file=sys.stderr)
            mail = bench_mail(root, runs)
            settle(root, [d for d in os.listdir(root) if d == "mail" or d.startswith(("mailstore", "notmuch"))])
        else:
            settle()
        for tier, r, m in TIERS:
            n = runs if tier != "stress" else max(3, runs // 2)
            print(f"… {tier}: {r} recruiters / {m} messages ({n} runs)", file=sys.stderr)
            began = watch.begin()
            results[tier] = bench_rapport(root, tier, r, m, n)
            results[tier]["machine"] = watch.summary(began)
            settle()
        if not PARTIAL:
            print("… instruction counts (callgrind)", file=sys.stderr)
            cg = callgrind_counts(root, {t: os.path.join(root, t) for t, _, _ in TIERS if t in results})
        settle()  # callgrind's output files
        print("… empty store", file=sys.stderr)
        results["empty"] = {"cold_start": empty_first_frame(root, runs)}
        for fn in () if PARTIAL else (peer_abook, peer_calcurse, peer_task):
            if shutil.which({"peer_abook": "abook", "peer_calcurse": "calcurse", "peer_task": "task"}[fn.__name__]):
                print(f"… peer {fn.__name__[5:]}", file=sys.stderr)
                try:
                    peers.update(fn(root, runs))
                except Exception as e:  # a peer failing must not hide our figures
                    print(f"peer {fn.__name__}: {e}", file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    lines = ["| figure (median / p99) | typical 200/2k | heavy 1k/20k | stress 10k/200k | target (t/h/s) |", "|---|---|---|---|---|"]
    for key, label, unit in LABELS:
        tgt = TARGETS.get(key)
        row = [label] + [cell(results[t].get(key), unit) for t, _, _ in TIERS]
        row.append(" / ".join(f"≤ {x}" for x in tgt) + f" {unit}" if tgt else "")
        lines.append("| " + " | ".join(row) + " |")
    peer_lines = ["| peer (Debian package, 10 000 items) | median / p99 ms | ours (heavy tier) | ratio ours/theirs |", "|---|---|---|---|"]
    pairs = [("abook_first_frame", "abook: first frame", "cold_start"),
             ("calcurse_first_frame", "calcurse: first frame", "cold_start"),
             ("task_next", "taskwarrior: `task next`", "due_statusline"),
             ("task_next", "taskwarrior: `task next`", "due_statusline_hit"),
             ("task_annotate", "taskwarrior: `task N annotate`", "log_process")]
    for key, label, ours in pairs:
        if key in peers and ours in results.get("heavy", {}):
            o, t = results["heavy"][ours]["median"], peers[key]["median"]
            peer_lines.append(f"| {label} | {cell(peers[key], 'ms')} | {cell(results['heavy'][ours], 'ms')} ({ours}) | {o / t:.2f} |")
    windows = [results[t].get("statusline_window_h") for t, _, _ in TIERS]
    if all(w is not None for w in windows):
        lines.append("")
        lines.append("status.cache validity a minute after the data's \"now\" (typical / heavy / stress): "
                     + " / ".join(f"{w * 60:.0f} min" for w in windows))
    machine = [results.get(t, {}).get("machine") for t, _, _ in TIERS]
    if all(machine):
        lines.append("")
        lines.append("The machine during each tier (not a figure of ours; docs/benchmarks.md, Method), "
                     + " / ".join(t for t, _, _ in TIERS) + ": "
                     "steal " + " / ".join(f"{m['steal_pct']:.1f} %" for m in machine)
                     + ", the worst half second " + " / ".join(f"{m['steal_worst_half_second_pct']:.0f} %" for m in machine)
                     + "; kernel workers' CPU " + " / ".join(f"{m['kworker_cpu_ms']:.0f} ms" for m in machine)
                     + " in " + " / ".join(f"{m['seconds']:.0f} s" for m in machine))
    if (results.get("empty") or {}).get("cold_start"):
        lines.append("")
        lines.append(f"Empty store, first frame (the fixed start): {cell(results['empty']['cold_start'], 'ms')} ms")
    table = ("\n".join(lines) + "\n\n" + "\n".join(peer_lines) + "\n\n" + "\n".join(ratio_rows(results, peers))
             + ("\n\n" + callgrind_table(cg) if cg else "")
             + ("\n\n" + mail_table(mail) if mail else ""))
    print(table)
    if PARTIAL:
        return
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
    doc = os.path.join(ROOT, "docs", "benchmarks.md")
    head, tail = "", ""
    if os.path.exists(doc):
        text = open(doc).read()
        if "<!-- results -->" in text and "<!-- /results -->" in text:
            head = text.split("<!-- results -->")[0]
            tail = text.split("<!-- /results -->")[1]
    if not head:
        head = "# Benchmarks\n\n"
    body = (f"<!-- results -->\nLast run: {stamp}, {os.cpu_count()} cores ({cpu}), release build, "
            f"{'quick mode, ' if QUICK else ''}runs per figure shown in bench/results.json.\n\n{table}\n<!-- /results -->")
    with open(doc, "w") as f:
        f.write(head + body + tail)
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as f:
        json.dump({"rapport": results, "peers": peers, "mail": mail, "callgrind": cg, "when": stamp}, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
