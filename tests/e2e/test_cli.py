"""End-to-end tests of the concur binary: bad input, real runs, failures, signals, the schema.

Run by ctest with CONCUR (the real binary), CONCUR_TEST (the same CLI with the
test-only workload cpu/fault) and CONCUR_SCHEMA in the environment. Every
process a test starts carries a tag in its environment; after each test, no
live process may still carry it (no child outlives concur).
"""
import glob
import shutil
import html.parser
import json
import threading
import stat
import os
import re
import resource
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

import xml.etree.ElementTree as ET

import jsonschema

CONCUR_PYTHON = "/usr/bin/python3"  # the distribution's, where scripts/deps.sh installs the modules
CONCUR = os.environ["CONCUR"]
CONCUR_TEST = os.environ["CONCUR_TEST"]
with open(os.environ["CONCUR_SCHEMA"]) as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def reject_constant(name):
    raise ValueError(f"non-finite number in JSON: {name}")


def load_results(path):
    with open(path) as f:
        return json.loads(f.read(), parse_constant=reject_constant)


def tagged_processes(tag):
    """Live (non-zombie) processes whose environment carries the tag."""
    found = []
    needle = f"CONCUR_E2E_TAG={tag}".encode()
    for env in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(env, "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(env.replace("environ", "stat")) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(env.split("/")[2])
    return found


class Base(unittest.TestCase):
    def cross_pair(self):
        """A placement of two roles on different CPUs that this machine has (same-l3 where there is one)."""
        pairs = json.loads(self.concur("topo", "--json").stdout)["pairs"]
        return next(x["policy"] for x in pairs if x["available"] and x["policy"] not in ("same-cpu", "smt"))

    def setUp(self):
        self.tag = uuid.uuid4().hex
        self.tmp = tempfile.TemporaryDirectory()
        self.env = dict(os.environ, CONCUR_E2E_TAG=self.tag)

    def tearDown(self):
        deadline = time.time() + 10
        while tagged_processes(self.tag) and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(tagged_processes(self.tag), [], "a child process outlived concur")
        self.tmp.cleanup()

    @staticmethod
    def read(path):
        with open(path) as f:
            return f.read()

    def out(self, name="r.json"):
        return os.path.join(self.tmp.name, name)

    def edited(self, src, name, edit):
        """A copy of result file src, changed by edit(doc), written as name: a real run made hostile or odd."""
        with open(src) as f:
            doc = json.load(f)
        edit(doc)
        with open(self.out(name), "w") as f:
            json.dump(doc, f)
        return self.out(name)

    def concur(self, *args, binary=CONCUR, timeout=300):
        if os.environ.get("CONCUR_SANITIZE"):
            timeout *= 2  # a sanitizer's cell processes start slowly and run 2 to 20 times slower
        return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, env=self.env,
                              cwd=self.tmp.name)

    def assertUsageError(self, args, flag, *words):
        p = self.concur(*args)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(flag, p.stderr)
        for w in words:
            self.assertIn(w, p.stderr)
        self.assertEqual(os.listdir(self.tmp.name), [], "nothing may run or be written on bad input")

    def assertValid(self, doc):
        errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: e.path)
        self.assertEqual([f"{list(e.path)}: {e.message}" for e in errors], [])

    def cells(self, doc):
        return {b["name"]: b for b in doc["concur"]["benchmarks"]}

    def listed(self, *args):
        """What `concur list` says the same selection runs: the expected cells, whatever the models."""
        p = self.concur("list", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split()

    def all_models(self):
        return {n.split("/")[2] for n in self.listed("--suite", "smoke")}


WORKLOADS = ["cpu/hash", "cpu/spin", "cpu/primes", "cpu/mandelbrot", "cpu/matmul", "cpu/tail", "mem/stream", "mem/chase",
             "sync/counter", "io/sleep", "io/pipe", "io/file", "io/tcp", "mix/cpu-io"]
SCENARIOS = ["spawn/thread", "spawn/fork", "spawn/vfork", "spawn/exec", "spawn/posix-spawn", "spawn/daemon",
             "spawn/zombie", "spawn/coroutine", "switch/pipe", "switch/futex", "switch/eventfd", "switch/semaphore", "switch/ring",
             "switch/condvar", "switch/yield", "ipc/pipe", "ipc/fifo", "ipc/socketpair", "ipc/unix-dgram", "ipc/mq",
             "ipc/tcp", "ipc/udp", "ipc/shm-futex", "ipc/shm-spin", "sync/mutex", "sync/mutex-adaptive", "sync/rlock",
             "sync/futex-lock", "sync/spin-tas", "sync/spin-ticket", "sync/deadlock", "sync/timer", "sync/convoy", "sync/rwlock",
             "sync/barrier", "sync/spin-barrier", "sync/event", "sync/semaphore", "sync/value",
             "queue/fifo", "queue/lifo", "queue/priority", "queue/joinable", "queue/ring", "queue/mp", "server/blocking-thread", "server/blocking-process", "server/prefork", "server/select", "server/poll", "server/epoll", "server/epoll-et", "server/coroutines", "server/thread-pool", "server/nonblocking", "server/coro-pool", "server/hybrid", "server/io-uring"]
MPI_SCENARIOS = ["dist/pingpong", "dist/dispatch"]  # where concur was built with MPI: their roles are ranks
PAIR_POLICIES = ["same-cpu", "smt", "same-l3", "cross-l3", "cross-numa", "cross-package"]


class Usage(Base):
    @unittest.skipIf(os.environ.get("CONCUR_SANITIZE"), "a sanitizer's own frames need more than a 64 KiB stack")
    def test_a_small_stack_limit_is_no_crash(self):
        small = lambda: resource.setrlimit(resource.RLIMIT_STACK, (64 << 10, 64 << 10))
        o = self.out()
        for args in (["run", "--suite", "smoke", "--workloads", "spin,hash", "--models", "serial,threads,coroutines",
                      "--out", o], ["list", "--suite", "smoke"], ["plot", o, "--out", os.path.join(self.tmp.name, "c")],
                     ["compare", o, o]):
            p = subprocess.run([CONCUR, *args], capture_output=True, text=True, preexec_fn=small, env=self.env,
                               timeout=300)
            self.assertGreaterEqual(p.returncode, 0, (args[0], p.stderr[-1500:]))
            self.assertEqual(p.returncode, 0, (args[0], p.stderr[-1500:]))

    @unittest.skipIf(os.environ.get("CONCUR_SANITIZE"), "a sanitizer's shadow memory does not fit an address-space limit")
    def test_a_small_memory_limit_is_no_crash(self):
        # under ulimit -v (30 or 36 MB of address space) cells cannot create threads or coroutine stacks,
        # and at the lower one the results themselves do not fit: each is said, never a crash or a cut-off file
        for limit_kb in (30000, 36000):
            o = self.out("mem-%d.json" % limit_kb)
            small = lambda: resource.setrlimit(resource.RLIMIT_AS, (limit_kb << 10, limit_kb << 10))
            p = subprocess.run([CONCUR, "run", "--suite", "smoke", "--out", o], capture_output=True, text=True,
                               preexec_fn=small, env=self.env, timeout=600)
            self.assertIn(p.returncode, (0, 1, 5), p.stderr[-3000:])
            if p.returncode == 5:
                self.assertRegex(p.stderr, "without their concur block|Cannot allocate memory")
                if os.path.exists(o):
                    self.assertNotIn("concur", load_results(o))  # whole JSON, or nothing
                continue
            doc = load_results(o)
            self.assertValid(doc)
            for b in doc["concur"]["benchmarks"]:
                self.assertIn(b["status"], ("ok", "failed"), b["name"])
                self.assertNotRegex(b.get("error", ""), r"signal|killed|crash", b["name"])

    def test_small_usage_errors_say_what_is_wrong(self):
        p = self.concur("bogus")
        self.assertEqual(p.returncode, 2)
        for verb in ("run", "list", "topo", "doctor", "compare", "history", "plot"):
            self.assertIn(verb, p.stderr)
        p = self.concur("--version", "extra")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unexpected argument 'extra'", p.stderr)
        p = self.concur("run", "--out", "--out", self.out())
        self.assertEqual(p.returncode, 2)
        self.assertIn("--out needs a value", p.stderr)
        self.assertFalse(os.path.exists("--out"))
        # topology descriptions are bounded before hwloc builds them
        p = self.concur("topo", "--synthetic", "pack:64 core:1024 pu:8")
        self.assertEqual(p.returncode, 2)
        self.assertIn("more than 16384 hardware threads, 65536 objects", p.stderr)
        p = self.concur("topo", "--synthetic", "node:2 l3:44 l3:28 l3:4 l2:4 pu:1")  # 2 GiB in hwloc (fuzzer)
        self.assertEqual(p.returncode, 2)
        self.assertIn("65536 objects", p.stderr)
        p = self.concur("topo", "--synthetic", "node(2 l3:44 l3:28l3:444 l2:4 pu:1")  # unclosed: 2 GiB (fuzzer)
        self.assertEqual(p.returncode, 2)
        self.assertIn("hwloc cannot read", p.stderr)
        p = self.concur("topo", "--synthetic", "4444 2 1")  # hwloc took 12 s on its 4444 siblings (fuzzer)
        self.assertEqual(p.returncode, 2)
        self.assertIn("too wide", p.stderr)
        self.assertEqual(self.concur("topo", "--synthetic", "pack:16 numa:4 l3:8 core:16 pu:2").returncode, 0)
        # a filter glibc would compile into gigabytes is refused, saying why (found by the fuzzer)
        for pattern, why in [("c++++", "two repetition operators in a row"),
                             ("((a{99}){99}){99}", "repeats a part more than 1000 times"),
                             ("x" * 600, "longer than 512 characters")]:
            self.assertUsageError(["list", "--filter", pattern], "--filter", why)
        self.assertEqual(self.concur("list", "--suite", "smoke", "--filter", "workers:[12]{1}/").returncode, 0)
        p = self.concur("topo", "--xml", "/dev/zero")
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a regular file", p.stderr)

    def test_bad_flags_exit_2_naming_the_flag(self):
        o = self.out()
        self.assertUsageError(["run", "--models", "fibers", "--out", o], "--models", "threads", "processes")
        self.assertUsageError(["run", "--workloads", "nope"], "--workloads", "cpu/hash")
        self.assertUsageError(["run", "--suite", "huge"], "--suite", "standard")
        self.assertUsageError(["run", "--param", "colour=red"], "--param", "colour")
        self.assertUsageError(["run", "--param", "size=big"], "--param", "not a number")
        self.assertUsageError(["run", "--param", "size=4"], "--param", "out of range")
        self.assertUsageError(["run", "--param", "hash.ns=5"], "--param", "ns")
        self.assertUsageError(["run", "--param", "nosuch.size=5"], "--param", "nosuch")
        self.assertUsageError(["run", "--workloads", "hash", "--param", "ns=5"], "--param", "ns")
        self.assertUsageError(["run", "--param", "size"], "--param")
        for bad in ["0", "x", "100001", "1,,2", "-1", "2.5", ""]:
            self.assertUsageError(["run", "--workers", bad], "--workers")
        for bad in ["0", "1001", "many"]:
            self.assertUsageError(["run", "--repetitions", bad], "--repetitions")
        self.assertUsageError(["run", "--tasks", "0"], "--tasks")
        self.assertUsageError(["run", "--timeout", "-3"], "--timeout")
        self.assertUsageError(["run", "--max-cv", "nan"], "--max-cv")
        self.assertUsageError(["run", "--filter", "(["], "--filter")
        self.assertUsageError(["run", "--filter", "no-such-benchmark"], "--filter", "no benchmark matches")
        self.assertUsageError(["run", "--colour"], "unknown option '--colour'")
        self.assertUsageError(["run", "--suite"], "--suite needs a value")
        self.assertUsageError(["run", "smoke"], "unexpected argument 'smoke'")
        self.assertUsageError(["list", "--out", o], "unknown option '--out'")
        self.assertUsageError(["run", "--pin", "sideways"], "--pin", "scatter")
        for flag, bad in [("--queue", "0"), ("--queue", "-4"), ("--spin-ns", "-1"), ("--spin-ns", "lots"),
                          ("--max-live", "0"), ("--max-live", "1e3")]:
            self.assertUsageError(["run", flag, bad], flag)
        self.assertUsageError(["run", "--workers", "auto", "--pin", "none"], "--workers auto", "--pin")

    def test_bad_coroutine_settings_exit_2_naming_the_allowed_values(self):
        self.assertUsageError(["run", "--coroutines", "0"], "--coroutines", "from 1")
        self.assertUsageError(["run", "--coro-stack", "8K"], "--coro-stack", "16K")
        self.assertUsageError(["run", "--coro-stack", "-64K"], "--coro-stack", "16K")
        self.assertUsageError(["run", "--coro-backend", "fibers"], "--coro-backend", "ucontext")
        self.assertUsageError(["run", "--poller", "kqueue"], "--poller", "epoll")
        for bad in ["2x2", "0x1x1", "2x2x0", "axbxc", "2x2x2x2"]:
            self.assertUsageError(["run", "--shape", bad], "--shape", "PxTxC")
        self.assertUsageError(["run", "--shape", "2x2x8", "--workers", "3"], "--shape", "--workers 3",
                              "multiply")
        self.assertUsageError(["run", "--shape", "1x2x8", "--workers", "auto"], "--shape", "auto")

    def test_shape_sets_the_workers(self):
        p = self.concur("list", "--suite", "smoke", "--models", "hybrid", "--workloads", "hash",
                        "--shape", "1x2x3")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["cpu/hash/hybrid/workers:2/pin:core"])
        self.assertUsageError(["run", "--json"], "unknown option '--json'")
        self.assertUsageError(["doctor", "--json=yes"], "--json takes no value")
        self.assertUsageError(["fly"], "unknown command")
        self.assertUsageError([], "usage")

    def test_unwritable_out(self):
        self.assertUsageError(["run", "--out", "/nonexistent-dir/r.json"], "--out", "No such file")
        self.assertUsageError(["run", "--out", "/proc/r.json"], "--out")
        self.assertUsageError(["run", "--out", "/"], "--out")

    def test_help_and_version(self):
        p = self.concur("--help")
        self.assertEqual(p.returncode, 0)
        for word in ["--suite", "--workers", "--param", "cpu/hash", "cpu/spin", "processes", "smoke"]:
            self.assertIn(word, p.stdout)
        self.assertNotIn("cpu/fault", p.stdout, "test-only workloads stay out of the real binary")
        p = self.concur("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^concur \d+\.\d+\.\d+")

    def test_list(self):
        p = self.concur("list", "--suite", "smoke")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = p.stdout.split()
        self.assertIn("cpu/hash/serial/workers:1/pin:core", names)
        self.assertIn("cpu/spin/processes/workers:2/pin:core", names)
        models = self.all_models()
        self.assertTrue({"serial", "threads", "processes", "thread-pool"} <= models)
        scenarios = [n for n in names if "/".join(n.split("/")[:2]) in SCENARIOS + MPI_SCENARIOS]
        names = [n for n in names if n not in scenarios]
        workloads = {"/".join(n.split("/")[:2]) for n in names}
        self.assertEqual(workloads, set(WORKLOADS))
        # per workload: serial once, every other model at 1 and 2 workers; the mpi models (where built) on
        # cpu/hash only, a launch a batch
        mpi = {"mpi", "mpi-static"} & models
        self.assertEqual(len(names), len(workloads) * (1 + 2 * (len(models) - len(mpi) - 1)) + 2 * len(mpi))
        self.assertEqual(len(set(names)), len(names))
        for n in names:
            self.assertRegex(n, r"^(cpu|mem|sync|io|mix)/[a-z-]+/[a-z-]+/workers:\d+/pin:core$")
        # per scenario: its executors (threads, processes), its roles, the pair policies this machine has
        self.assertEqual({"/".join(n.split("/")[:2]) for n in scenarios},
                         set(SCENARIOS) | (set(MPI_SCENARIOS) if "mpi" in models else set()))
        pairs = {p["policy"] for p in json.loads(self.concur("topo", "--json").stdout)["pairs"] if p["available"]}
        for n in scenarios:
            cls, name, executor, roles, pin = n.split("/")
            self.assertIn(executor, ("threads", "processes", "coroutines", "gil") if cls != "dist" else ("mpi",))
            self.assertIn(pin[len("pin:"):], pairs)
            if cls == "dist":  # MPI's blocking receive polls: never on one CPU
                self.assertNotEqual(pin, "pin:same-cpu")
            if name == "yield":  # roles that take turns on one CPU by design
                self.assertEqual(pin, "pin:same-cpu")
            if name == "shm-spin":  # roles that busy-wait for each other: never on one CPU
                self.assertNotEqual(pin, "pin:same-cpu")
            if name in ("deadlock", "timer"):
                self.assertEqual(roles, "workers:2" if name == "deadlock" else "workers:1")
            elif cls == "sync":  # a lock's roles come from the sweep: alone and contended; others need two
                self.assertIn(roles, ("workers:1", "workers:2") if name.endswith("lock") or name.startswith(
                    ("mutex", "spin-t", "semaphore", "value")) else ("workers:2",))
                if name.startswith("spin-"):  # spinners never on one CPU (locks and the barrier)
                    self.assertNotEqual(pin, "pin:same-cpu")
            elif cls == "queue":  # producers and consumers: two roles at least
                self.assertEqual(roles, "workers:2")
            else:
                self.assertEqual(roles, "workers:1" if cls == "spawn" else "workers:2")
        self.assertIn("switch/pipe/processes/workers:2/pin:same-cpu", scenarios)

    def test_a_size_a_channel_cannot_carry_is_left_out_with_the_reason(self):
        p = self.concur("list", "--workloads", "ipc/udp,ipc/pipe", "--param", "size=8,1M", "--why")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [n for n in p.stdout.split("\n") if n and not n.startswith("#")]
        self.assertTrue(any(n.startswith("ipc/udp/") and n.endswith("/size:8") for n in names), names)
        self.assertFalse(any(n.startswith("ipc/udp/") and n.endswith("/size:1M") for n in names), names)
        self.assertTrue(any(n.startswith("ipc/pipe/") and n.endswith("/size:1M") for n in names), names)
        self.assertIn("# not planned: ipc/udp/*/size:1M: a UDP datagram carries at most 65507 bytes", p.stdout)

    def test_list_why_says_what_is_left_out(self):
        cross = self.cross_pair()
        p = self.concur("list", "--suite", "smoke", "--workloads", "yield,ring,spawn/thread,hash", "--models",
                        "threads,thread-pool", "--pin", "same-cpu,%s,smt,core" % cross, "--why")
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [l for l in p.stdout.splitlines() if not l.startswith("#")]
        why = {l.split(": ")[1]: l.split(": ", 2)[2] for l in p.stdout.splitlines() if l.startswith("# not planned: ")}
        self.assertIn("switch/yield/threads/workers:2/pin:same-cpu", names)
        self.assertIn("take turns on one CPU", why["switch/yield/threads/workers:2/pin:" + cross])
        self.assertIn("takes 2 to 64 roles", why["switch/ring/threads/workers:1/pin:same-cpu"])
        self.assertIn("not an executor", why["spawn/thread/thread-pool"])
        self.assertIn("one role", why["spawn/thread/threads/workers:1/pin:" + cross])
        self.assertIn("not a batch's workers", why["cpu/hash/threads/workers:*/pin:same-cpu"])
        self.assertIn("not a scenario's roles", why["switch/ring/threads/workers:*/pin:core"])
        pairs = json.loads(self.concur("topo", "--json").stdout)["pairs"]
        if not next(x for x in pairs if x["policy"] == "smt")["available"]:
            self.assertIn("no smt pair", why["switch/ring/threads/workers:*/pin:smt"])
        self.assertEqual(self.concur("list", "--suite", "smoke", "--workloads", "yield").stdout.count("#"), 0,
                         "without --why, names only")
        p = self.concur("list", "--models", "threads", "--workers", "3,1", "--filter", "hash")
        self.assertEqual(p.stdout.split(), ["cpu/hash/threads/workers:3/pin:core", "cpu/hash/threads/workers:1/pin:core"])


class Run(Base):
    def test_smoke_run(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "", "results go to the file, progress to stderr")
        expected = self.listed("--suite", "smoke")
        self.assertIn(f"[1/{len(expected)}] cpu/hash/serial/workers:1/pin:core", p.stderr)
        self.assertRegex(p.stderr, r"threads\s+2\s+core\s+[\d.]+\s+[\d.]+x")
        self.assertIn("results written to " + o, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        self.assertEqual(sorted(cells), sorted(expected))
        models = {c["model"] for c in cells.values()}
        self.assertEqual(models, self.all_models())
        for wl in ["hash", "spin"]:
            # a per-task model runs a capped batch of its own (instance_tasks says the instance's): per batch
            by_batch = {}
            for c in cells.values():
                if c["workload"] == wl:
                    by_batch.setdefault(c["tasks"], set()).add(c["checksum"])
                    self.assertEqual(c["checksum"], c["reference_checksum"], c["name"])
                    self.assertEqual(c["reference"], "serial", c["name"])
            if wl == "hash":  # 200 tasks in smoke: a process per task runs 25
                self.assertGreater(len(by_batch), 1, f"{wl}: the per-task models' batch is capped")
            for n, sums in by_batch.items():
                self.assertEqual(len(sums), 1, f"{wl} at {n} tasks: every model must compute what serial computes")
        for c in cells.values():
            self.assertEqual(c["status"], "ok", c)
            self.assertEqual(c["checksum"], c["reference_checksum"])
            self.assertEqual(len(c["worker_tasks"]), c["workers"])
            self.assertGreater(c["cpu_s"], 0)
            if c["kind"] == "scenario":  # every role does every operation; role 0 times them
                if c["workload"] == "convoy" or c["class"] == "server":  # role 0's requests; the others serve or compute
                    self.assertEqual(c["worker_tasks"], [c["tasks"]] + [0] * (c["workers"] - 1))
                else:
                    self.assertEqual(c["worker_tasks"], [c["tasks"]] * c["workers"])
                self.assertEqual(c["scenario"]["ops"], c["tasks"])
                self.assertGreater(c["scenario"]["cpu_ns_per_op"], 0)
                continue
            self.assertEqual(sum(c["worker_tasks"]), c["tasks"])
            self.assertGreater(c["speedup"], 0)
            self.assertGreater(c["latency"]["samples"], 0)
            self.assertLessEqual(c["latency"]["p50"], c["latency"]["max"])
        self.assertEqual(cells["cpu/hash/serial/workers:1/pin:core"]["spawn_s"]["max"], 0)
        gb = [b["name"] for b in doc["benchmarks"]]
        self.assertIn("cpu/hash/threads/workers:2/pin:core/manual_time", gb)
        self.assertEqual(doc["context"]["concur_machine_id"], doc["concur"]["machine"]["id"])
        self.assertEqual(glob.glob(self.out("*tmp*")), [], "no temporary file is left behind")

    def test_default_output_path(self):
        p = self.concur("run", "--suite", "smoke", "--filter", "hash/serial")
        self.assertEqual(p.returncode, 0, p.stderr)
        files = glob.glob(os.path.join(self.tmp.name, "results", "*", "*.json"))
        self.assertEqual(len(files), 1)
        self.assertRegex(files[0], r"results/[0-9a-f]{12}/\d{8}T\d{6}Z\.json$")
        self.assertValid(load_results(files[0]))

    def test_out_writes_devices_fifos_and_stdout_in_place(self):
        run = ("run", "--suite", "smoke", "--workloads", "spin", "--models", "serial")
        before = os.stat("/dev/null")
        p = self.concur(*run, "--out", "/dev/null")
        self.assertEqual(p.returncode, 0, p.stderr)
        after = os.stat("/dev/null")
        self.assertTrue(stat.S_ISCHR(after.st_mode), "/dev/null is still a device, not a renamed file")
        self.assertEqual((before.st_rdev, before.st_ino), (after.st_rdev, after.st_ino))
        p = self.concur(*run, "--out", "-")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertValid(json.loads(p.stdout))
        fifo = os.path.join(self.tmp.name, "fifo")
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(open(fifo).read()))
        reader.start()
        p = self.concur(*run, "--out", fifo)
        reader.join(timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        self.assertValid(json.loads(got[0]))
        for bad in (self.tmp.name, "/dev/loop0" if os.path.exists("/dev/loop0") else self.tmp.name):
            p = self.concur(*run, "--out", bad)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--out", p.stderr)
        p = self.concur(*run, "--out", "-", "--plot", os.path.join(self.tmp.name, "charts"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("--plot", p.stderr)

    def test_a_full_disk_keeps_the_results_and_has_its_own_exit_code(self):
        # /dev/full fails every write with ENOSPC, as a full disk does
        rescue = os.path.join(self.tmp.name, "rescue")
        os.mkdir(rescue)
        env = dict(self.env, TMPDIR=rescue)
        p = subprocess.run([CONCUR, "run", "--suite", "smoke", "--workloads", "spin", "--models", "serial",
                            "--out", "/dev/full"], capture_output=True, text=True, timeout=300, env=env,
                           cwd=self.tmp.name)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertIn("No space left on device", p.stderr)
        saved = glob.glob(os.path.join(rescue, "concur-rescued-*.json"))
        self.assertEqual(len(saved), 1, p.stderr)
        self.assertIn(saved[0], p.stderr)
        self.assertValid(load_results(saved[0]))

    def test_without_serial_the_checksum_is_still_checked(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--models", "threads", "--workloads", "hash",
                        "--param", "hash.size=1K", "--repetitions", "3", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        for c in doc["concur"]["benchmarks"]:
            self.assertEqual(c["checksum"], c["reference_checksum"])
            self.assertNotIn("speedup", c, "no serial measured in this run: no speedup is claimed")
            self.assertEqual(c["params"], {"size": 1024})
            # 3 rounds, and extra rounds up to twice that while it is noisy
            self.assertTrue(3 <= c["repetitions"] <= 6, c["repetitions"])
            self.assertIn("cv", c)
        aggregates = {b["aggregate_name"] for b in doc["benchmarks"] if b["run_type"] == "aggregate"}
        self.assertTrue({"mean", "median", "stddev"} <= aggregates)

    def test_empty_tasks_measure_overhead(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "spin", "--param", "ns=0", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        # The rule, not a timing: a task is timed one in ceil(100 x clock cost / its length), so
        # timing every task is only right for tasks at least ~100 clock reads long (as under a
        # sanitizer), and the serial baseline's empty tasks, here, are far shorter.
        clock = doc["concur"]["run"]["clock_read_ns"]
        for c in doc["concur"]["benchmarks"]:
            if c["latency"]["sampling"] == "every task":
                self.assertGreater(c["latency"]["p50"], 25 * clock, c["name"])
            else:
                self.assertRegex(c["latency"]["sampling"], r"^1 in \d+ tasks$")


def allowed_cpus():
    return len(os.sched_getaffinity(0))


class Placement(Base):
    def topo_plan(self, workers, pin, *extra):
        p = self.concur("topo", "--json", "--workers", str(workers), "--pin", pin, *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_pinned_workers_run_where_they_were_placed(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "hash", "--pin", "core,compact,scatter,pu,none",
                        "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        self.assertEqual(sorted(cells), sorted(self.listed("--suite", "smoke", "--workloads", "hash", "--pin",
                                                           "core,compact,scatter,pu,none")))
        for c in cells.values():
            pl = c["placement"]
            self.assertTrue(pl["valid"], pl)
            self.assertTrue(c["valid"])
            self.assertEqual(pl["policy"], c["pin"])
            self.assertEqual(len(pl["observed"]), c["workers"])
            if c["pin"] == "none":
                self.assertEqual(pl["requested"], [])
                continue
            plan = self.topo_plan(c["workers"], c["pin"])["plans"][0]
            if c["model"] == "coroutines":  # all on one thread, in the first place
                self.assertEqual(pl["requested"], [plan["plan"][0]["cpu"]] * c["workers"])
            else:
                self.assertEqual(pl["requested"], [w["cpu"] for w in plan["plan"]])
            if not pl["oversubscribed"]:
                self.assertEqual(pl["observed"], [[cpu] for cpu in pl["requested"]])
            self.assertEqual(pl["migrations"], 0)

    def test_oversubscription_is_marked(self):
        o = self.out()
        n = 2 * allowed_cpus()
        p = self.concur("run", "--suite", "smoke", "--workloads", "spin", "--models", "threads", "--workers", str(n),
                        "--pin", "core", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        c = load_results(o)["concur"]["benchmarks"][0]
        self.assertTrue(c["placement"]["oversubscribed"])
        self.assertTrue(c["placement"]["valid"])
        self.assertIn("oversubscribed", p.stderr)

    def test_results_carry_topology_and_doctor(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--filter", "hash/serial", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = load_results(o)["concur"]["machine"]
        self.assertEqual(m["topology"]["source"], "this machine")
        self.assertEqual(m["topology"]["pus"], allowed_cpus())
        self.assertGreaterEqual(len(m["doctor"]["checks"]), 10)
        for f in m["doctor"]["checks"]:
            if f["status"] == "warning":
                self.assertIn(f"concur: doctor: {f['check']}:", p.stderr)

    def test_topo_on_synthetic_machines(self):
        doc = self.topo_plan(4, "scatter", "--synthetic", "pack:2 numa:2 l3:2 core:8 pu:2")
        self.assertEqual(doc["topology"]["cores"], 64)
        self.assertEqual(doc["sweep"], [1, 8, 16, 64, 128, 256])
        self.assertEqual([w["cpu"] for w in doc["plans"][0]["plan"]], [0, 64, 32, 96])
        self.assertEqual([w["package"] for w in doc["plans"][0]["plan"]], [0, 1, 0, 1])
        doc = self.topo_plan(3, "compact", "--synthetic", "pack:1 core:2 pu:1")
        self.assertTrue(doc["plans"][0]["oversubscribed"])
        p = self.concur("topo", "--synthetic", "pack:2 numa:4 l3:4 core:8 pu:2", "--workers", "auto", "--pin", "core")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("cores 256, hardware threads 512", p.stdout)
        self.assertIn("plan: 1024 workers, --pin core (oversubscribed: 256 places for 1024 workers)", p.stdout)

    def test_topo_bad_input(self):
        self.assertUsageError(["topo", "--synthetic", "garbage:2"], "--synthetic", "pack:2")
        self.assertUsageError(["topo", "--xml", "/nonexistent.xml"], "--xml", "no such file")
        self.assertUsageError(["topo", "--workers", "auto", "--pin", "none"], "--workers auto")
        self.assertUsageError(["topo", "--pin", "diagonal"], "--pin")
        bad = self.out("bad.xml")
        with open(bad, "w") as f:
            f.write("<topology><object type=")
        p = self.concur("topo", "--xml", bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a topology", p.stderr)

    def test_doctor(self):
        p = self.concur("doctor", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        checks = {c["check"]: c for c in doc["checks"]}
        for name in ["hypervisor", "governor", "turbo", "smt", "load", "steal", "aslr", "thp", "isolated_cpus",
                     "timer_resolution", "clock_cost"]:
            self.assertIn(name, checks)
        self.assertEqual(doc["warnings"], sum(c["status"] == "warning" for c in doc["checks"]))
        VALIDATOR.evolve(schema={"$ref": "#/$defs/doctor", "$defs": SCHEMA["$defs"]}).validate(doc)
        p = self.concur("doctor")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"\d+ warnings?:")


class CoreToCore(Base):
    def test_the_matrix_of_this_machine(self):
        o, charts = self.out("c2c.json"), os.path.join(self.tmp.name, "c2c")
        p = self.concur("c2c", "--round-trips", "200", "--repetitions", "3", "--out", o, "--plot", charts)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(o) as f:
            doc = json.load(f)
        n = len(doc["cpus"])
        self.assertEqual(n, len(os.sched_getaffinity(0)), "every CPU this process may use")
        self.assertEqual(len(doc["one_way_ns"]), n)
        for i, row in enumerate(doc["one_way_ns"]):
            self.assertEqual(len(row), n)
            for j, v in enumerate(row):
                if i == j:
                    self.assertIsNone(v)
                else:
                    self.assertGreater(v, 0)
        self.assertEqual(sum(r["pairs"] for r in doc["by_relation"].values()), n * (n - 1))
        self.assertEqual(doc["failed"], [])
        assert_images(self, charts, "c2c")
        self.assertIn("one-way ns", p.stdout)

    def test_a_large_machine_is_planned_and_sampled(self):
        # 512 hardware threads in 4 packages: planned at once; a sample spreads over every package and NUMA node
        p = self.concur("c2c", "--synthetic", "pack:4 numa:2 l3:4 core:8 pu:2", "--sample", "16")
        self.assertEqual(p.returncode, 0, p.stderr)
        cpus = [int(c) for c in re.search(r"cpus: ([0-9 ]+)", p.stdout).group(1).split()]
        self.assertEqual(len(cpus), 16)
        self.assertEqual(sorted({c // 128 for c in cpus}), [0, 1, 2, 3], "every package")
        self.assertEqual(len({c // 64 for c in cpus}), 8, "every NUMA node")
        self.assertIn("pairs: 240", p.stdout)
        self.assertUsageError(["c2c", "--sample", "1"], "--sample", "from 2")
        self.assertUsageError(["c2c", "--synthetic", "pack:4 numa:2 l3:4 core:32 pu:2", "--plot",
                               os.path.join(self.tmp.name, "x")], "--plot", "--sample")


class Failures(Base):
    def test_a_broken_channel_fails_its_cell_and_the_run_goes_on(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "broken,switch/pipe", "--timeout", "60",
                        "--out", o, binary=CONCUR_TEST)
        self.assertEqual(p.returncode, 1, p.stderr[-3000:])
        self.assertNotIn("timed out", p.stderr, "a failing role stops the others: no wait for the watchdog")
        doc = load_results(o)
        self.assertValid(doc)
        for c in doc["concur"]["benchmarks"]:
            if c["workload"] == "broken":
                self.assertEqual(c["status"], "failed", c)
                self.assertIn("token 2 came back as 258", c["error"])
            else:
                self.assertEqual(c["status"], "ok", c)
        self.assertEqual(subprocess.run(["pgrep", "-f", "concur-test run"], capture_output=True).stdout, b"",
                         "no role left behind")

    def test_a_queue_that_loses_an_item_fails_its_cell_and_the_run_goes_on(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "lossy,queue/fifo", "--timeout", "60", "--out", o,
                        binary=CONCUR_TEST)
        self.assertEqual(p.returncode, 1, p.stderr[-3000:])
        self.assertNotIn("timed out", p.stderr, "the consumers still end at their sentinels")
        doc = load_results(o)
        self.assertValid(doc)
        for c in doc["concur"]["benchmarks"]:
            if c["workload"] == "lossy":
                self.assertEqual(c["status"], "failed", c)
                self.assertRegex(c["error"], r"(\d+) items put, (\d+) got")
            else:
                self.assertEqual(c["status"], "ok", c)

    def test_a_role_process_that_dies_fails_its_cell_at_once(self):
        # role 1 killed mid-run: role 0 waits on a channel the cell process still holds open, so without
        # being stopped it would wait for the watchdog
        o = self.out()
        start = time.time()
        p = self.concur("run", "--suite", "smoke", "--workloads", "broken", "--models", "processes", "--pin",
                        "same-cpu", "--param", "bad_at=0", "--param", "crash_at=2", "--timeout", "120", "--out", o,
                        binary=CONCUR_TEST)
        self.assertEqual(p.returncode, 1, p.stderr[-3000:])
        self.assertLess(time.time() - start, 60, "stopped at the death, not by the watchdog")
        (c,) = load_results(o)["concur"]["benchmarks"]
        self.assertEqual(c["status"], "failed")
        self.assertIn("killed by signal 9", c["error"])

    def run_fault(self, *args):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "fault", "--out", o, *args, binary=CONCUR_TEST)
        self.assertTrue(os.path.exists(o), p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        return p, self.cells(doc)

    def test_crashed_worker_process_is_recorded_and_the_run_goes_on(self):
        p, cells = self.run_fault("--param", "mode=1", "--param", "where=1", "--workers", "2")
        self.assertEqual(p.returncode, 1)
        bad = cells["cpu/fault/processes/workers:2/pin:core"]
        self.assertEqual(bad["status"], "failed")
        self.assertFalse(bad["valid"])
        self.assertIn("killed by signal 11", bad["error"])
        self.assertEqual(cells["cpu/fault/serial/workers:1/pin:core"]["status"], "ok")
        self.assertEqual(cells["cpu/fault/threads/workers:2/pin:core"]["status"], "ok")
        self.assertIn("killed by signal 11", p.stderr)

    def test_crash_in_a_thread_fails_only_its_cell(self):
        p, cells = self.run_fault("--param", "mode=1", "--models", "threads", "--workers", "1,2")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(cells), 2)
        for c in cells.values():
            self.assertEqual(c["status"], "failed")
            self.assertIn("signal 11", c["error"])

    def test_coroutine_stack_overflow_is_named(self):
        p, cells = self.run_fault("--param", "mode=5", "--models", "threads,coroutines,coro-pool,hybrid",
                                  "--workers", "1", "--coro-stack", "64K")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(cells["cpu/fault/threads/workers:1/pin:core"]["status"], "ok")
        for m in ("coroutines", "coro-pool", "hybrid"):
            c = cells["cpu/fault/%s/workers:1/pin:core" % m]
            self.assertEqual(c["status"], "failed", m)
            self.assertIn("coroutine stack overflow", c["error"], m)
            self.assertIn("64 KiB", c["error"], m)

    def test_a_run_whose_every_benchmark_failed_ends(self):
        # once all have failed no round has anything to run: the run ends (it once spun for ever)
        p, cells = self.run_fault("--param", "mode=3", "--models", "serial,threads", "--workers", "1",
                                  "--repetitions", "3")
        self.assertEqual(p.returncode, 1)
        self.assertEqual({c["status"] for c in cells.values()}, {"failed"})

    def test_nonzero_exit_is_recorded(self):
        p, cells = self.run_fault("--param", "mode=3", "--param", "where=1", "--models", "processes")
        self.assertEqual(p.returncode, 1)
        for c in cells.values():
            self.assertIn("exited with status 3", c["error"])

    def test_different_result_is_a_checksum_mismatch(self):
        p, cells = self.run_fault("--param", "mode=4", "--param", "where=1", "--models", "serial,processes",
                                  "--workers", "2")
        self.assertEqual(p.returncode, 1)
        c = cells["cpu/fault/processes/workers:2/pin:core"]
        self.assertEqual(c["status"], "checksum_mismatch")
        self.assertIn("differs from serial", c["error"])
        self.assertEqual(cells["cpu/fault/serial/workers:1/pin:core"]["status"], "ok")

    def test_hung_cell_times_out_and_is_killed(self):
        start = time.time()
        p, cells = self.run_fault("--param", "mode=2", "--param", "where=1", "--models",
                                  "processes,threads,process-pool,process-per-task", "--workers", "2",
                                  "--timeout", "1", "--repetitions", "2")
        self.assertLess(time.time() - start, 60)
        self.assertEqual(p.returncode, 1)
        for model in ["processes", "process-pool", "process-per-task"]:
            c = cells[f"cpu/fault/{model}/workers:2/pin:core"]
            self.assertEqual(c["status"], "timeout", model)
            self.assertIn("timed out", c["error"])
        self.assertEqual(cells["cpu/fault/threads/workers:2/pin:core"]["status"], "ok")

    def test_pool_worker_crash_is_recorded(self):
        p, cells = self.run_fault("--param", "mode=1", "--param", "where=1", "--param", "at=3",
                                  "--models", "process-pool,thread-pool", "--workers", "2")
        self.assertEqual(p.returncode, 1)
        c = cells["cpu/fault/process-pool/workers:2/pin:core"]
        self.assertEqual(c["status"], "failed")
        self.assertIn("task 3 failed", c["error"])
        self.assertIn("killed by signal 11", c["error"])
        self.assertEqual(cells["cpu/fault/thread-pool/workers:2/pin:core"]["status"], "ok")

    def test_pool_and_per_task_notes(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "spin", "--workers", "2", "--max-live", "3",
                        "--queue", "8", "--spin-ns", "0", "--models", "thread-pool,thread-per-task,process-pool",
                        "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        cells = self.cells(load_results(o))
        self.assertIn("spin 0 ns, queue 8", cells["cpu/spin/thread-pool/workers:2/pin:core"]["model_note"])
        note = cells["cpu/spin/thread-per-task/workers:2/pin:core"]["model_note"]
        self.assertRegex(note, r"at most [123] alive \(--max-live\)")
        self.assertEqual(cells["cpu/spin/thread-per-task/workers:2/pin:core"]["spawn_s"]["max"], 0)
        self.assertGreater(cells["cpu/spin/process-pool/workers:2/pin:core"]["spawn_s"]["min"], 0)


class Workloads(Base):
    def test_the_responder_cpu_time_is_counted(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "io/pipe,io/tcp", "--models", "serial", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        for c in load_results(o)["concur"]["benchmarks"]:
            ru = c["rusage"]
            self.assertGreater(ru["helpers_s"], 0, "every request is served by the responder: its CPU counts")
            own = ru["user_s"] + ru["sys_s"] + ru["children_user_s"] + ru["children_sys_s"]
            self.assertAlmostEqual(c["cpu_s"], own + ru["helpers_s"], delta=1e-6)

    def test_invalid_parameters_exit_2_with_name_and_bounds(self):
        self.assertUsageError(["run", "--param", "file.size=-5"], "--param", "size", "from 1 to")
        self.assertUsageError(["run", "--workloads", "matmul", "--param", "n=60000"], "--param", "n=60000",
                              "memory")
        self.assertUsageError(["run", "--workloads", "cpu-io", "--param", "cpu_us=0", "--param", "wait_us=0"],
                              "--param", "cpu_us=0", "wait_us=0")
        self.assertUsageError(["run", "--param", "wait_us=99999999"], "--param", "wait_us", "10000000")
        self.assertUsageError(["run", "--param", "variant=4"], "--param", "variant", "0 to 3")
        self.assertUsageError(["run", "--param", "pipe.size=5000"], "--param", "size", "from 1 to 4096")
        self.assertUsageError(["run", "--param", "cpu_us=10,10"], "--param", "cpu_us lists 10 twice")
        self.assertUsageError(["run", "--workloads", "pipe", "--param", "server_cpu=4095"], "--param",
                              "server_cpu=4095", "may not run on CPU 4095")
        self.assertUsageError(["run", "--param", "server_cpu=-3"], "--param", "server_cpu", "from -2 to 4095")
        self.assertUsageError(["run", "--param", "cpu_us=10,x"], "--param", "'x'", "not a number")
        self.assertUsageError(["run", "--param", "cpu_us=0,5", "--param", "wait_us=0"], "--param", "cpu_us=0")
        # an unqualified parameter is held to the selected workloads' bounds only
        self.assertUsageError(["run", "--param", "size=64"], "--param", "mem/", "size='64'", "out of range")
        p = self.concur("list", "--workloads", "io/tcp", "--param", "size=64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("io/tcp/serial/workers:1/pin:core", p.stdout)

    def test_running_out_of_descriptors_is_a_reason_not_a_hang(self):
        o = self.out()
        limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
        p = subprocess.run([CONCUR, "run", "--suite", "smoke", "--workloads", "tcp,pipe", "--timeout", "60",
                            "--out", o], capture_output=True, text=True, preexec_fn=limit, env=self.env, timeout=600)
        self.assertEqual(p.returncode, 1, p.stderr[-3000:])
        self.assertNotIn("timed out", p.stderr)
        self.assertNotIn("checksum", p.stderr, "a task that could not work is not a wrong result")
        self.assertIn("a task could not do its work", p.stderr)
        self.assertIn("Too many open files", p.stderr)
        self.assertValid(load_results(o))

    def test_many_coroutines_share_a_descriptor_under_every_poller(self):
        # 500 coroutines a thread wait on io/pipe's one control socket at once: the epoll poller took one
        # waiter a direction, and the second's task failed (a checksum mismatch, 3 runs in 3)
        built = re.search(r"built: ([a-z_, ]+)", self.concur("run", "--poller", "nope").stderr).group(1)
        for poller in [x.strip() for x in built.split(",")]:
            o = self.out("p-%s.json" % poller)
            p = self.concur("run", "--suite", "smoke", "--workloads", "io/pipe,io/tcp", "--models",
                            "coro-pool,hybrid", "--coroutines", "500", "--workers", "2", "--tasks", "2000",
                            "--poller", poller, "--out", o)
            self.assertEqual(p.returncode, 0, poller + ": " + p.stderr[-2000:])
            for c in self.cells(load_results(o)).values():
                self.assertTrue(c["checksum_ok"], (poller, c["name"]))

    def test_io_workloads_leave_no_file_listener_or_process(self):
        tmp = os.path.join(self.tmp.name, "t")
        os.mkdir(tmp)
        self.env["TMPDIR"] = tmp
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "file,pipe,tcp", "--param", "tcp.connect=1",
                        "--models", "serial,threads,process-per-task,coroutines,hybrid", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        for c in self.cells(load_results(o)).values():
            self.assertTrue(c["checksum_ok"], c["name"])
        self.assertEqual(os.listdir(tmp), [], "temporary files outlived the run")
        # tearDown: no process outlived concur, the echo server and the pipe responder included, so
        # neither did their listener and pipes (comparing the machine's listeners would race with tests running alongside)

    def test_interrupted_run_removes_its_files_and_server(self):
        tmp = os.path.join(self.tmp.name, "t")
        os.mkdir(tmp)
        self.env["TMPDIR"] = tmp
        err = open(self.out("stderr"), "w+")
        self.addCleanup(err.close)
        p = subprocess.Popen([CONCUR_TEST, "run", "--suite", "smoke", "--workloads", "file,pipe,tcp,fault", "--param",
                              "mode=2", "--param", "where=1", "--models", "serial,processes", "--workers", "2",
                              "--out", self.out()], stderr=err, env=self.env, cwd=self.tmp.name)
        deadline = time.time() + 120
        while "fault/processes" not in self.read(err.name):
            self.assertIsNone(p.poll(), self.read(err.name))
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(timeout=30), 130)
        self.assertEqual(os.listdir(tmp), [])

    def test_a_parameter_list_sweeps_it(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "cpu-io", "--models", "serial,threads,coro-pool",
                        "--param", "cpu_us=10,1000", "--param", "wait_us=500", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        self.assertEqual(set(cells), set(self.listed("--suite", "smoke", "--workloads", "cpu-io", "--models",
                                                     "serial,threads,coro-pool", "--param", "cpu_us=10,1000",
                                                     "--param", "wait_us=500")))
        fast = cells["mix/cpu-io/threads/workers:2/pin:core/cpu_us:10"]
        slow = cells["mix/cpu-io/threads/workers:2/pin:core/cpu_us:1000"]
        self.assertEqual(fast["sweep"], {"cpu_us": 10})
        self.assertEqual(fast["params"], {"cpu_us": 10, "wait_us": 500})
        self.assertGreater(fast["tasks"], slow["tasks"], "a shorter task runs more times")
        self.assertTrue(all(c["checksum_ok"] for c in cells.values()))
        ratios = doc["concur"]["headline"]["mixed"]["by_ratio"]
        self.assertEqual([(r["cpu_us"], r["wait_us"]) for r in ratios], [(10, 500), (1000, 500)])
        for r in ratios:
            self.assertIn(r["fastest"], ["threads", "coro-pool"])
        self.assertIn("at each ratio", p.stderr)

    def test_queue_orders_do_the_same_tasks_and_report_turnaround(self):
        self.assertUsageError(["run", "--queue-order", "fifo,sjf"], "--queue-order", "'sjf'")
        self.assertUsageError(["run", "--queue-order", ""], "--queue-order")
        self.assertUsageError(["run", "--queue-order", "lifo,fifo,lifo"], "--queue-order", "'lifo' twice")
        self.assertUsageError(["list", "--workloads", "cpu/hash", "--queue-order", "lifo"], "--queue-order",
                              "cpu/tail")
        o = self.out()
        models = "serial,thread-pool,process-pool,process-per-task"
        p = self.concur("run", "--suite", "smoke", "--workloads", "cpu/tail", "--models", models,
                        "--queue-order", "fifo,lifo,priority", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        self.assertEqual(len(cells), 3 * (1 + 3 * 2))
        self.assertEqual(len({c["checksum"] for c in cells.values()}), 1, "every order runs the same tasks")
        for name, c in cells.items():
            self.assertEqual(c["status"], "ok", name)
            m = {k: v["value"] for k, v in c["metrics"].items()}
            self.assertEqual(set(m), {"turnaround_mean_ms", "turnaround_p50_ms", "turnaround_p99_ms",
                                      "turnaround_max_ms"})
            self.assertGreater(m["turnaround_mean_ms"], 0)
            self.assertLessEqual(m["turnaround_mean_ms"], m["turnaround_max_ms"])
            self.assertLessEqual(m["turnaround_p50_ms"], m["turnaround_p99_ms"])
            self.assertLessEqual(m["turnaround_p99_ms"], m["turnaround_max_ms"])
        self.assertIn("cpu/tail/thread-pool/workers:2/pin:core/order:2", cells)
        self.assertIn("turnaround_mean_ms=", p.stderr)

    def test_the_full_suite_sweeps_every_workload(self):
        p = self.concur("list", "--suite", "full", "--workloads", "tcp,cpu-io", "--models", "serial")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["io/tcp/serial/workers:1/pin:core/connect:0",
                                            "io/tcp/serial/workers:1/pin:core/connect:1"] +
                         ["mix/cpu-io/serial/workers:1/pin:core/cpu_us:%d" % v for v in (10, 100, 1000, 10000)])
        self.assertRegex(p.stderr, r"about \d+ s on this machine")
        # a value given replaces the workload's sweep
        p = self.concur("list", "--suite", "full", "--workloads", "tcp", "--models", "serial", "--param", "connect=1")
        self.assertEqual(p.stdout.split(), ["io/tcp/serial/workers:1/pin:core"])

    def test_counter_totals_are_exact_in_every_variant(self):
        for variant in range(4):
            o = self.out()
            p = self.concur("run", "--suite", "smoke", "--workloads", "counter", "--param", "variant=%d" % variant,
                            "--models", "serial,threads,processes,coro-pool", "--workers", "1,3", "--out", o)
            self.assertEqual(p.returncode, 0, p.stderr)
            for c in self.cells(load_results(o)).values():
                self.assertEqual(c["status"], "ok", c.get("error"))


class Signals(Base):
    def start_hanging_run(self, o):
        """Starts a run whose hash cells finish and whose last cell hangs; returns once it hangs."""
        err = open(self.out("stderr"), "w+")
        self.addCleanup(err.close)
        p = subprocess.Popen([CONCUR_TEST, "run", "--suite", "smoke", "--workloads", "hash,fault", "--param",
                              "mode=2", "--param", "where=1", "--models", "serial,processes", "--workers", "2",
                              "--out", o], stderr=err, env=self.env, cwd=self.tmp.name)
        deadline = time.time() + 120
        while "fault/processes" not in self.read(err.name):
            self.assertIsNone(p.poll(), self.read(err.name))
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        # concur, the cell process and the worker that hangs at task 0 (the other finishes)
        while len(tagged_processes(self.tag)) < 3 and time.time() < deadline:
            time.sleep(0.05)
        return p, err

    def test_ctrl_c_writes_completed_cells_and_exits_130(self):
        o = self.out()
        p, err = self.start_hanging_run(o)
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(timeout=30), 130)
        doc = load_results(o)
        self.assertValid(doc)
        self.assertTrue(doc["concur"]["run"]["interrupted"])
        names = set(self.cells(doc))
        self.assertIn("cpu/hash/processes/workers:2/pin:core", names)
        self.assertNotIn("cpu/fault/processes/workers:2/pin:core", names, "an unfinished cell is not reported")
        gb = {b["name"] for b in doc["benchmarks"]}
        self.assertNotIn("cpu/fault/processes/workers:2/pin:core/manual_time", gb)
        self.assertIn("stopped by signal 2", self.read(err.name))

    def test_sigterm_exits_143(self):
        o = self.out()
        p, _ = self.start_hanging_run(o)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=30), 143)
        self.assertValid(load_results(o))

    def test_sigkill_leaves_no_child(self):
        o = self.out()
        p, _ = self.start_hanging_run(o)
        p.kill()
        p.wait(timeout=30)
        # tearDown checks that the cell process and its workers died with concur
        self.assertFalse(os.path.exists(o))


def gbench_file(path, scale=None, reps=8):
    """A plain Google Benchmark result (no concur block): three benchmarks, fixed jittered times."""
    jitter = [0.0, 0.4, -0.3, 0.8, -0.6, 0.2, -0.1, 0.5, -0.4, 0.3][:reps]
    rows = []
    for name, base in [("BM_alpha", 100.0), ("BM_beta", 250.0), ("BM_gamma", 40.0)]:
        f = (scale or {}).get(name, 1.0)
        for k, j in enumerate(jitter):
            rows.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
                         "repetition_index": k, "iterations": 1000, "real_time": (base + j) * f,
                         "cpu_time": (base + j) * f, "time_unit": "ns"})
        rows.append({"name": name + "_mean", "run_name": name, "run_type": "aggregate", "aggregate_name": "mean",
                     "iterations": 3, "real_time": base * f, "cpu_time": base * f, "time_unit": "ns"})
    with open(path, "w") as out:
        json.dump({"context": {"date": "2026-11-22", "host_name": "fixture"}, "benchmarks": rows}, out)
    return path


class Compare(Base):
    def compare(self, *args):
        return self.concur("compare", *args)

    def test_a_real_run_against_itself_passes(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "hash", "--repetitions", "6", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        # a wide threshold: smoke batches on a loaded machine may vary beyond 5%, and a gate that can
        # judge nothing fails (tested apart); what is tested here is that a run is not slower than itself
        p = self.compare(o, o, "--gate", "--threshold", "500%")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("gate: pass", p.stderr)
        self.assertNotIn("slower", p.stdout)
        self.assertIn("cpu/hash/serial/workers:1/pin:core", p.stdout)

    def test_gate_fails_on_a_real_slowdown_only(self):
        base = gbench_file(self.out("base.json"))
        slow = gbench_file(self.out("slow.json"), {"BM_beta": 1.30})
        small = gbench_file(self.out("small.json"), {"BM_beta": 1.02})
        fast = gbench_file(self.out("fast.json"), {"BM_gamma": 0.7})
        p = self.compare(base, slow, "--gate")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("slower BM_beta (+30.0%", p.stderr)
        self.assertRegex(p.stdout, r"BM_beta\s.*\+30\.0%.*slower")
        self.assertRegex(p.stdout, r"BM_alpha\s.*same")
        p = self.compare(base, small, "--gate")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.compare(base, fast, "--gate", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        verdicts = {b["name"]: b["verdict"] for b in json.loads(p.stdout)["benchmarks"]}
        self.assertEqual(verdicts, {"BM_alpha": "same", "BM_beta": "same", "BM_gamma": "faster"})
        p = self.compare(base, slow, "--gate", "--threshold", "40%")
        self.assertEqual(p.returncode, 0, "a 30% change under a 40% threshold is not a regression")
        p = self.compare(base, slow, "--format", "md")
        self.assertEqual(p.returncode, 0, "without --gate, a slowdown is reported, not failed")
        self.assertIn("| BM_beta |", p.stdout)

    def test_a_gate_with_nothing_to_compare_fails(self):
        base = gbench_file(self.out("base.json"))
        failed = self.out("failed.json")
        with open(base) as f:
            doc = json.load(f)
        for b in doc["benchmarks"]:
            b["error_occurred"] = True
            b["error_message"] = "crashed"
        with open(failed, "w") as f:
            json.dump(doc, f)
        p = self.compare(base, failed, "--gate")
        self.assertEqual(p.returncode, 1, "every new row failed: nothing compared, the gate fails")
        self.assertIn("nothing to compare", p.stderr)
        other = gbench_file(self.out("other.json"))
        with open(other) as f:
            doc = json.load(f)
        for b in doc["benchmarks"]:
            b["name"] = b["run_name"] = "BM_other" + b["name"][len("BM_alpha"):] if b["name"].startswith("BM_alpha") else "BM_x"
        with open(other, "w") as f:
            json.dump(doc, f)
        p = self.compare(base, other, "--gate")
        self.assertEqual(p.returncode, 1, "no benchmark in common: the gate fails")
        self.assertIn("nothing to compare", p.stderr)

    def test_bad_times_are_left_out_alike_in_every_format(self):
        base = gbench_file(self.out("base.json"))

        def odd_times(doc):
            odd = [r for r in doc["benchmarks"] if r["name"] == "BM_beta"]
            for r, v in zip(odd, [-150.0, 0, 1e308, "12"]):
                r["real_time"] = v
        bad = self.edited(base, "bad.json", odd_times)
        p = self.compare(base, bad)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("4 rows left out: real_time is not a positive number", p.stderr)
        self.assertNotIn("-150", p.stdout)
        text_rows = [l.split()[0] for l in p.stdout.splitlines()[1:]]
        p = self.compare(base, bad, "--format", "json")
        json_rows = [b["name"] for b in json.loads(p.stdout)["benchmarks"]]
        self.assertEqual(text_rows, json_rows, "every format shows the same rows")

    @unittest.skipIf(os.environ.get("CONCUR_SANITIZE"), "a sanitizer's shadow memory does not fit an address-space limit")
    def test_a_large_file_compares_in_bounded_memory(self):
        rows = [{"name": "BM_%d" % i, "run_name": "BM_%d" % i, "run_type": "iteration", "iterations": 1,
                 "real_time": 100.0 + i % 7, "cpu_time": 1.0, "time_unit": "ns"} for i in range(30000)]
        big = self.out("big.json")
        with open(big, "w") as f:
            json.dump({"context": {"date": "2026-12-02"}, "benchmarks": rows}, f)
        limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        p = subprocess.run([CONCUR, "compare", big, big], capture_output=True, text=True, preexec_fn=limit,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertEqual(len(p.stdout.splitlines()), 30001)

    def test_too_few_repetitions_are_called_out(self):
        base = gbench_file(self.out("base.json"), reps=2)
        slow = gbench_file(self.out("slow.json"), {"BM_beta": 1.5}, reps=2)
        p = self.compare(base, slow, "--gate")
        self.assertEqual(p.returncode, 3, "a gate that could judge nothing neither passes nor fails")
        self.assertIn("inconclusive", p.stdout)
        self.assertIn("too few repetitions (2)", p.stderr)
        self.assertIn("gate: inconclusive: no benchmark could be judged", p.stderr)
        p = self.compare(base, slow, "--gate", "--strict")
        self.assertEqual(p.returncode, 1, "--strict: inconclusive fails")
        base = gbench_file(self.out("base3.json"), reps=3)
        slow = gbench_file(self.out("slow3.json"), {"BM_beta": 1.5}, reps=3)
        p = self.compare(base, slow, "--gate")
        self.assertEqual(p.returncode, 1, "3 repetitions a side show a 50% slowdown beyond their spread")
        self.assertRegex(p.stdout, r"BM_beta\s.*slower")

    def test_bad_files_and_flags(self):
        base = gbench_file(self.out("base.json"))
        truncated = self.out("truncated.json")
        with open(base) as f, open(truncated, "w") as t:
            t.write(f.read()[:300])
        p = self.compare(base, truncated)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, re.escape(truncated) + r":\d+:\d+: ")
        broken = self.out("broken.json")
        with open(broken, "w") as f:
            f.write('{\n  "benchmarks": [nope]\n}\n')
        p = self.compare(broken, base)
        self.assertEqual(p.returncode, 2)
        self.assertIn(broken + ":2:", p.stderr)
        notgb = self.out("notgb.json")
        with open(notgb, "w") as f:
            f.write('{"hello": 1}')
        p = self.compare(base, notgb)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no \"benchmarks\" array", p.stderr)
        p = self.compare(base, self.out("missing.json"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.json", p.stderr)
        for args, flag in [([base], "needs 2 files"), ([base, base, base], "unexpected argument"),
                           ([base, base, "--threshold", "abc"], "--threshold"),
                           ([base, base, "--alpha", "2"], "--alpha"), ([base, base, "--format", "xml"], "--format")]:
            p = self.compare(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(flag, p.stderr)

    def test_like_repeats_the_work_and_compare_holds_runs_to_it(self):
        a, b, c = self.out("a.json"), self.out("b.json"), self.out("c.json")
        run = ("run", "--suite", "smoke", "--workloads", "spin,cpu-io", "--models", "serial,threads",
               "--repetitions", "3")
        p = self.concur(*run, "--out", a)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.concur(*run, "--like", a, "--out", b)
        self.assertEqual(p.returncode, 0, p.stderr)
        da, db = load_results(a), load_results(b)
        self.assertValid(db)
        self.assertEqual(db["concur"]["calibration"]["busy_steps_per_ms"],
                         da["concur"]["calibration"]["busy_steps_per_ms"])
        self.assertEqual(db["concur"]["calibration"]["busy_source"], "like")
        sums = lambda d: {x["name"]: (x["checksum"], x["tasks"]) for x in d["concur"]["benchmarks"]}
        self.assertEqual(sums(da), sums(db), "the same work: the same checksums and task counts")
        self.assertTrue(db["concur"]["probes"]["samples"], "reference probes were taken")
        self.assertTrue(all("probe" in x for x in db["concur"]["benchmarks"]))
        p = self.compare(a, b, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("different work", [x["verdict"] for x in json.loads(p.stdout)["benchmarks"]])
        # more tasks: the same names, different work; never called slower
        p = self.concur(*run, "--tasks", "7", "--out", c)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.compare(a, c, "--gate", "--format", "json")
        self.assertEqual(p.returncode, 1, "different work fails the gate")
        doc = json.loads(p.stdout)
        self.assertEqual({x["verdict"] for x in doc["benchmarks"]}, {"different work"})
        self.assertEqual(doc["gate"], "fail")
        self.assertIn("--like", p.stderr)
        p = self.concur(*run, "--like", a, "--tasks", "7", "--out", c)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--like", p.stderr)
        p = self.concur(*run, "--like", self.out("missing.json"), "--out", c)
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.json", p.stderr)

    def test_a_slower_machine_is_told_from_slower_code(self):
        a = self.out("a.json")
        p = self.concur("run", "--suite", "smoke", "--workloads", "spin", "--models", "serial,threads",
                        "--repetitions", "5", "--out", a)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(a)
        # what is checked is compare's reading of the probes, not this machine's noise: every repetition at
        # its benchmark's median (a sanitizer build beside a browser spreads them past any threshold)
        medians = {}
        for b in doc["benchmarks"]:
            medians.setdefault(b["name"], []).append(b["real_time"])
        for b in doc["benchmarks"]:
            times = sorted(medians[b["name"]])
            b["real_time"] = times[len(times) // 2]
        for b in doc["concur"]["benchmarks"]:  # ... and their times against the probe as steady
            if "probe" in b:
                b["probe"]["relative_sigma"] = 0.01
        with open(a, "w") as f:
            json.dump(doc, f)
        # the same run on a machine 3x slower: every time and every probe sample 3x, times against the
        # probe unchanged (a change that large stands out of any spread a loaded test machine gives)
        for b in doc["benchmarks"]:
            b["real_time"] *= 3
        for s in doc["concur"]["probes"]["samples"]:
            for k in ("cpu", "mem_bw", "mem_lat", "wake"):
                if k in s:
                    s[k] *= 3
        slow_machine = self.out("slow-machine.json")
        with open(slow_machine, "w") as f:
            json.dump(doc, f)
        p = self.compare(a, slow_machine, "--gate", "--threshold", "100%")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"cpu\s+\+200\.0% slower\s+<- the machine changed")
        self.assertNotRegex(p.stdout, r"\sslower\s")
        # without times against a probe (an older file), the same change cannot be told: inconclusive
        for b in doc["concur"]["benchmarks"]:
            b.pop("probe", None)
        no_probe = self.out("no-probe.json")
        with open(no_probe, "w") as f:
            json.dump(doc, f)
        p = self.compare(a, no_probe, "--gate", "--threshold", "100%")
        self.assertIn("inconclusive", p.stdout)
        self.assertIn("the machine changed (cpu probe +200.0%)", p.stdout)
        self.assertNotRegex(p.stdout, r"\sslower\s")

    def test_a_directory_of_base_runs(self):
        d = os.path.join(self.tmp.name, "baseline")
        os.mkdir(d)
        for k in range(3):
            p = self.concur("run", "--suite", "smoke", "--workloads", "hash", "--models", "serial",
                            "--repetitions", "3", "--out", os.path.join(d, f"run{k}.json"))
            self.assertEqual(p.returncode, 0, p.stderr)
        p = self.compare(d, os.path.join(d, "run2.json"), "--gate", "--last", "2", "--format", "json",
                         "--threshold", "500%")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(len(doc["base"]), 2)
        self.assertEqual({x["base_runs"] for x in doc["benchmarks"]}, {2})
        for bad in ("0", "65", "x"):
            p = self.compare(d, d, "--last", bad)
            self.assertEqual(p.returncode, 2)
            self.assertIn("--last", p.stderr)

    def test_memory_workloads_record_huge_pages(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "chase,stream", "--models", "serial",
                        "--param", "thp=1,2", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        seen = {}
        for b in doc["concur"]["benchmarks"]:
            self.assertIn("huge_pages", b, b["name"])
            seen[(b["workload"], b["params"]["thp"])] = b["huge_pages"]["bytes_max"]
        self.assertEqual(seen[("chase", 2)], 0, "forbidden: no huge page")
        self.assertEqual(seen[("stream", 2)], 0)
        self.assertGreaterEqual(seen[("chase", 1)], 0)
        p = self.concur("run", "--suite", "smoke", "--workloads", "chase", "--param", "thp=3", "--out", o)
        self.assertEqual(p.returncode, 2)
        self.assertIn("thp", p.stderr)

    def test_different_machines_add_machine_independent_figures(self):
        a = self.out("a.json")
        p = self.concur("run", "--suite", "smoke", "--workloads", "spin", "--repetitions", "5", "--out", a)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(a)
        doc["concur"]["machine"]["id"] = "0123456789ab"
        b = self.out("b.json")
        with open(b, "w") as f:
            json.dump(doc, f)
        p = self.compare(a, b)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("different machines", p.stderr)
        self.assertRegex(p.stdout, r"threads/workers:2/pin:core .*x -> .*x \(\d+% -> \d+%\)")


class History(Base):
    def series(self, n=40, step_at=25):
        """n dated runs: BM_alpha steps up 20% at run step_at, BM_beta is flat but noisy."""
        d = os.path.join(self.tmp.name, "runs")
        os.makedirs(d)
        for k in range(n):
            wob = ((k * 7919) % 13) / 13.0 - 0.5
            rows = []
            for name, base in [("BM_alpha", 100 * (1.2 if k >= step_at else 1.0) + wob),
                               ("BM_beta", 50 + 6 * wob)]:
                for r in range(3):
                    rows.append({"name": name, "run_name": name, "run_type": "iteration", "iterations": 10,
                                 "real_time": base + 0.01 * r, "cpu_time": base, "time_unit": "us"})
            # written out of order: history sorts by the date inside, not by file name
            with open(os.path.join(d, f"{(k * 17) % n:03d}-{k}.json"), "w") as f:
                json.dump({"context": {"date": f"2026-10-{1 + k // 24:02d}T{k % 24:02d}:00:00+00:00"},
                           "benchmarks": rows}, f)
        return d

    def test_files_of_different_machines_are_said(self):
        d = os.path.join(self.tmp.name, "mixed")
        os.mkdir(d)
        for k, host in enumerate(["alpha", "beta"]):
            gbench_file(os.path.join(d, "r%d.json" % k))
            with open(os.path.join(d, "r%d.json" % k)) as f:
                doc = json.load(f)
            doc["context"]["host_name"] = host
            doc["context"]["date"] = "2026-12-0%d" % (k + 1)
            with open(os.path.join(d, "r%d.json" % k), "w") as f:
                json.dump(doc, f)
        p = self.concur("history", d)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("different machines", p.stderr)

    def test_run_checks_the_plot_directory_before_running(self):
        p = self.concur("run", "--suite", "smoke", "--plot", "/proc/concur-cannot-be-here", "--out", self.out())
        self.assertEqual(p.returncode, 2)
        self.assertIn("--plot", p.stderr)
        self.assertNotIn("running", p.stderr, "refused before any benchmark ran")

    def test_a_step_is_found_where_it_is(self):
        d = self.series()
        p = self.concur("history", d, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        got = {b["name"]: b for b in doc["benchmarks"]}
        self.assertEqual(len(got["BM_alpha"]["points"]), 40)
        cps = got["BM_alpha"]["change_points"]
        self.assertEqual([c["index"] for c in cps], [25])
        self.assertAlmostEqual(cps[0]["change"], 0.2, delta=0.02)
        self.assertEqual(got["BM_beta"]["change_points"], [], "a flat noisy series has no change point")
        self.assertEqual(doc["window"], 30)
        p = self.concur("history", d)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"BM_alpha  \(40 runs.*\n  change at run 25 \(2026-10-02T01:00:00\+00:00, .*\): \+20\.\d%")
        self.assertIn("BM_beta  (40 runs", p.stdout)

    def test_bad_input(self):
        d = self.series(n=12)
        with open(os.path.join(d, "zzz.json"), "w") as f:
            f.write('{"benchmarks": [1, 2')
        p = self.concur("history", d)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, r"zzz\.json:\d+:\d+: ")
        for args, what in [(["/nonexistent"], "/nonexistent"), ([], "needs result files"),
                           ([d, "--window", "2"], "--window"), ([d, "--p", "7"], "--p")]:
            p = self.concur("history", *args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(what, p.stderr)


def assert_images(test, directory, stem):
    svg, png = os.path.join(directory, stem + ".svg"), os.path.join(directory, stem + ".png")
    test.assertGreater(os.path.getsize(svg), 1000, svg)
    ET.parse(svg)  # well-formed XML
    with open(png, "rb") as f:
        test.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", png)
    test.assertGreater(os.path.getsize(png), 1000, png)


class Install(Base):
    """concur installed (make install's cmake --install, and make package's Debian package unpacked into a
    temporary root) runs and plots from there, away from the source and build trees."""

    BUILD = os.path.dirname(CONCUR)

    def setUp(self):
        super().setUp()
        if os.environ.get("CONCUR_SANITIZE"):
            self.skipTest("the plain build's run covers installing; a sanitizer build's binaries are not for it")

    def run_from(self, root, bindir, *args):
        env = {k: v for k, v in self.env.items() if k != "CONCUR_PLOTS"}
        p = subprocess.run([os.path.join(root, bindir, "concur"), *args], capture_output=True, text=True, env=env,
                           cwd=root, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        return p

    def test_make_install_runs_and_plots_from_its_prefix(self):
        prefix = os.path.join(self.tmp.name, "prefix")
        p = subprocess.run(["cmake", "--install", self.BUILD, "--prefix", prefix], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for part in ["bin/concur", "bin/concur-exit", "share/concur/plots/style.gp", "share/concur/plots/memory.gp",
                     "share/concur/result.schema.json", "share/doc/concur/README.md", "share/doc/concur/servers.md"]:
            self.assertTrue(os.path.exists(os.path.join(prefix, part)), part)
        o = os.path.join(self.tmp.name, "r.json")
        self.run_from(prefix, "bin", "run", "--suite", "smoke", "--workloads", "hash,spawn/exec", "--out", o)
        doc = load_results(o)
        self.assertValid(doc)
        self.assertTrue(all(b["status"] == "ok" for b in doc["concur"]["benchmarks"]))  # concur-exit found beside it
        charts = os.path.join(self.tmp.name, "charts")
        self.run_from(prefix, "bin", "plot", o, "--out", charts)
        self.assertTrue(os.path.exists(os.path.join(charts, "index.html")))
        # the scripts come from the prefix, not from the source tree this concur was built from
        os.remove(os.path.join(prefix, "share/concur/plots/scaling.gp"))
        env = {k: v for k, v in self.env.items() if k != "CONCUR_PLOTS"}
        p = subprocess.run([os.path.join(prefix, "bin/concur"), "plot", o, "--out", charts + "2"], capture_output=True,
                           text=True, env=env, cwd=prefix, timeout=600)
        self.assertIn(os.path.join(prefix, "share/concur/plots"), p.stderr)

    def test_make_package_installs_into_a_root_that_runs_the_smoke_suite(self):
        out = os.path.join(self.tmp.name, "pkg")
        p = subprocess.run(["cpack", "-G", "DEB", "--config", os.path.join(self.BUILD, "CPackConfig.cmake"), "-B", out,
                            "-D", "CPACK_PACKAGING_INSTALL_PREFIX=/usr"], capture_output=True, text=True, cwd=self.BUILD)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        debs = glob.glob(os.path.join(out, "concur_*.deb"))
        self.assertEqual(len(debs), 1, os.listdir(out))
        info = subprocess.run(["dpkg-deb", "--field", debs[0], "Depends"], capture_output=True, text=True).stdout
        for lib in ["libhwloc", "libjansson", "gnuplot"]:
            self.assertIn(lib, info)
        root = os.path.join(self.tmp.name, "root")
        p = subprocess.run(["dpkg-deb", "-x", debs[0], root], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        o = os.path.join(self.tmp.name, "smoke.json")
        self.run_from(root, "usr/bin", "run", "--suite", "smoke", "--out", o)
        doc = load_results(o)
        self.assertValid(doc)
        bad = [b["name"] for b in doc["concur"]["benchmarks"] if b["status"] != "ok"]
        self.assertEqual(bad, [])
        charts = os.path.join(self.tmp.name, "charts")
        self.run_from(root, "usr/bin", "plot", o, "--out", charts)
        self.assertTrue(glob.glob(os.path.join(charts, "*", "scaling-cpu_hash*.svg")) or
                        glob.glob(os.path.join(charts, "scaling-cpu_hash*.svg")))


class Plot(Base):
    def fixture(self, name, *args):
        o = self.out(name)
        p = self.concur("run", "--suite", "smoke", "--repetitions", "2", "--out", o, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return o

    def test_every_figure_renders(self):
        a = self.fixture("a.json", "--models", "serial,threads,thread-pool,process-per-task")
        b = self.fixture("b.json", "--models", "serial,threads", "--workloads", "spin", "--param", "ns=1000")
        doc = load_results(b)
        doc["concur"]["machine"]["id"] = "0123456789ab"  # as if from another machine
        with open(b, "w") as f:
            json.dump(doc, f)
        out = os.path.join(self.tmp.name, "charts")
        p = self.concur("plot", a, b, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        stems = sorted(f[:-4] for f in os.listdir(out) if f.endswith(".svg"))
        for want in ["scaling-cpu_hash", "scaling-cpu_spin", "models-cpu_spin", "latency-cpu_spin-0123456789ab",
                     "spawn-cpu_hash", "memory-io_sleep"]:
            self.assertTrue(any(s.startswith(want) for s in stems), (want, stems))
        for s in stems:
            assert_images(self, out, s)
        with open(os.path.join(out, "data", "scaling-cpu_spin.tsv")) as f:
            self.assertIn("threads @0123456789ab", f.read(), "machines are overlaid in one figure")
        with open(os.path.join(out, "data", "models-cpu_spin.tsv")) as f:
            self.assertIn('"0123456789ab"', f.readline(), "one bar per machine")
        with open(os.path.join(out, "index.html")) as f:
            html = f.read()
        for s in stems:
            self.assertIn(f'src="{s}.svg"', html)
        self.assertIn('<table id="headline-table">', html)

    def test_a_channel_swept_over_size_and_stream_draws_latency_and_bandwidth(self):
        o = self.fixture("ipc.json", "--workloads", "ipc/pipe", "--param", "size=8,4K", "--param", "stream=0,1",
                         "--tasks", "20")
        out = os.path.join(self.tmp.name, "charts")
        p = self.concur("plot", o, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        stems = {f[:-4] for f in os.listdir(out) if f.endswith(".svg")}
        for want in ["opsweep-ipc_pipe_stream_0", "opsweep-ipc_pipe_stream_1", "bandwidth-ipc_pipe_stream_0",
                     "bandwidth-ipc_pipe_stream_1"]:
            self.assertIn(want, stems)
            assert_images(self, out, want)
        with open(os.path.join(out, "data", "bandwidth-ipc_pipe_stream_1.tsv")) as f:
            rows = [line.split("\t") for line in f.read().split("\n") if line[:1].isdigit()]
        self.assertEqual({r[0] for r in rows}, {"8", "4096"})  # x: the size; y: MB/s, more for more bytes
        with open(os.path.join(out, "index.html")) as f:
            self.assertIn("IPC: the fastest channel", f.read())  # the ipc headline question

    def test_a_hostile_result_file_runs_nothing_and_is_escaped(self):
        o = self.fixture("a.json", "--models", "serial,threads", "--workloads", "spin")
        marker = os.path.join(self.tmp.name, "PWNED")
        inject = "x'; system('touch %s'); t='" % marker

        def hostile_names(doc):
            doc["concur"]["machine"]["id"] = "../../<script>alert(1)</script>"
            for b in doc["concur"]["benchmarks"]:
                b["workload"] = inject
                b["model"] = b["model"] + "<img src=x onerror=alert(1)>\"'"
        hostile = self.edited(o, "hostile.json", hostile_names)
        b = self.edited(o, "b.json", lambda doc: doc["concur"]["machine"].update(id="0123456789ab"))
        out = os.path.join(self.tmp.name, "charts")
        p = self.concur("plot", hostile, b, "--out", out)
        self.assertFalse(os.path.exists(marker), "a name from a result file ran a command in gnuplot")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "index.html")) as f:
            html = f.read()
        self.assertNotIn("<script>", html)
        self.assertNotIn("<img src=x", html)
        self.assertIn("&lt;script&gt;", html)
        # one latency figure per machine, the hostile id's under a name that stays in the directory
        latency = sorted(f for f in os.listdir(out) if f.startswith("latency-") and f.endswith(".svg"))
        self.assertEqual(len(latency), 2, latency)
        self.assertFalse(any("/" in f or "<" in f for f in latency), latency)
        # history draws each benchmark's series with its name as the title
        runs = os.path.join(self.tmp.name, "runs")
        os.mkdir(runs)
        for k in range(2):
            doc = load_results(o)
            doc["context"]["date"] = "2026-12-0%dT00:00:00+00:00" % (k + 1)
            for row in doc["benchmarks"]:
                row["name"] = row["run_name"] = inject + "/" + row["name"]
            with open(os.path.join(runs, "r%d.json" % k), "w") as f:
                json.dump(doc, f)
        p = self.concur("history", runs, "--out", os.path.join(self.tmp.name, "hist"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(marker), "a benchmark name ran a command in gnuplot")

    def test_malformed_entries_are_left_out_not_a_crash(self):
        o = self.fixture("a.json", "--models", "serial,threads", "--workloads", "spin")

        def break_entries(doc):
            doc["concur"]["benchmarks"][0].pop("model")
            doc["concur"]["benchmarks"][1]["pin"] = 7
            doc["concur"]["benchmarks"] += [3, "x", None, [1]]
        broken = self.edited(o, "broken.json", break_entries)
        p = self.concur("plot", broken, "--out", os.path.join(self.tmp.name, "charts"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("6 entries of concur.benchmarks left out", p.stderr)
        p = self.concur("plot", self.out("missing.json"), "--out", os.path.join(self.tmp.name, "charts"))
        self.assertEqual(p.returncode, 2)
        self.assertNotIn(":-1:", p.stderr)

    def test_a_sweep_draws_speedup_by_its_parameter(self):
        o = self.fixture("s.json", "--models", "serial,threads,coroutines", "--workloads", "cpu-io,counter",
                         "--param", "cpu_us=10,100,1000", "--param", "variant=0,2")
        out = os.path.join(self.tmp.name, "charts")
        p = self.concur("plot", o, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        for stem in ["crossover-mix_cpu-io", "crossover-sync_counter", "scaling-mix_cpu-io_cpu_us_10",
                     "scaling-mix_cpu-io_cpu_us_1000", "scaling-sync_counter_variant_2"]:
            assert_images(self, out, stem)
        with open(os.path.join(out, "data", "crossover-mix_cpu-io.tsv")) as f:
            rows = [line.split("\t")[0] for line in f.read().split("\n\n\n")[0].splitlines()[1:]]
        self.assertEqual(rows, ["10", "100", "1000"], "one point per value, in order")

    def test_make_bench_style_run_draws_its_charts(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "hash", "--models", "serial,threads", "--out", o,
                        "--plot", os.path.join(self.tmp.name, "plots"))
        self.assertEqual(p.returncode, 0, p.stderr)
        machine = load_results(o)["concur"]["machine"]["id"]
        d = os.path.join(self.tmp.name, "plots", machine)
        self.assertTrue(os.path.exists(os.path.join(d, "index.html")))
        assert_images(self, d, "scaling-cpu_hash")

    def test_history_charts(self):
        d = History.series(self, n=20, step_at=10)
        out = os.path.join(self.tmp.name, "hist")
        p = self.concur("history", d, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        assert_images(self, out, "history-BM_alpha")
        assert_images(self, out, "history-BM_beta")

    def test_a_figure_gnuplot_fails_on_is_said_and_left_off_the_page(self):
        # real gnuplot on a broken copy of one script: the other figures are drawn (several at once), the
        # broken kind's are named on stderr and not on the page
        a = self.fixture("a.json", "--models", "serial,threads", "--workloads", "hash,spin")
        plots = os.path.join(self.tmp.name, "plots")
        shutil.copytree(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "plots"), plots)
        with open(os.path.join(plots, "latency.gp"), "a") as f:
            f.write("this is not gnuplot\n")
        out = os.path.join(self.tmp.name, "charts")
        p = subprocess.run([CONCUR, "plot", a, "--out", out], capture_output=True, text=True,
                           env=dict(self.env, CONCUR_PLOTS=plots), timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("gnuplot failed on latency.gp for", p.stderr)
        with open(os.path.join(out, "index.html")) as f:
            html = f.read()
        self.assertNotIn('src="latency-', html)
        for stem in ["scaling-cpu_hash", "models-cpu_spin"]:
            self.assertIn(f'src="{stem}.svg"', html)
            assert_images(self, out, stem)

    def test_without_gnuplot_a_clear_error(self):
        a = self.fixture("a.json", "--models", "serial", "--workloads", "hash")
        env = dict(self.env, PATH="/nonexistent")
        p = subprocess.run([CONCUR, "plot", a, "--out", self.out("charts")], capture_output=True, text=True,
                           env=env, timeout=60)
        self.assertEqual(p.returncode, 3)
        self.assertIn("gnuplot not found", p.stderr)
        self.assertIn("gnuplot-nox", p.stderr)

    def test_bad_input(self):
        bad = self.out("bad.json")
        with open(bad, "w") as f:
            f.write("{")
        p = self.concur("plot", bad, "--out", self.out("charts"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("bad.json:1:", p.stderr)
        plain = gbench_file(self.out("plain.json"))
        p = self.concur("plot", plain, "--out", self.out("charts2"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("nothing to draw", p.stderr)
        p = self.concur("plot")
        self.assertEqual(p.returncode, 2)


def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Lessons(Base):
    def test_the_page_walks_the_notes_with_this_runs_figures(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "cpu/hash,io/sleep,sync/convoy,spawn/fork,cpu/tail",
                        "--models", "serial,threads,gil,processes", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        gil = doc["concur"]["headline"]["cpu"]["gil"]
        self.assertGreater(gil["best_speedup"], 0)
        self.assertIn("under a GIL, the best CPU-bound speedup would be", p.stderr)
        micro = os.path.join(self.tmp.name, "micro.json")
        with open(micro, "w") as f:
            json.dump({"benchmarks": [
                {"name": "pool/thread/submit-wait/cross-cpu/sleeping/manual_time", "aggregate_name": "median",
                 "run_name": "pool/thread/submit-wait/cross-cpu/sleeping/manual_time", "real_time": 60000.0,
                 "time_unit": "ns"},
                {"name": "pool/thread/submit-each/workers:2/manual_time", "aggregate_name": "median",
                 "run_name": "pool/thread/submit-each/workers:2/manual_time", "real_time": 1e6, "ns_per_task": 300.0,
                 "time_unit": "ns"}]}, f)
        page = os.path.join(self.tmp.name, "lessons.md")
        p = self.concur("lessons", o, micro, "--out", page)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(page) as f:
            text = f.read()
        titles = re.findall(r"^## \d+\. (.*)$", text, re.M)
        self.assertEqual(len(titles), 12)
        self.assertEqual(titles[0], "Processes do not share memory")
        self.assertIn("The GIL", titles)
        self.assertIn("under a GIL the best speedup is", text)
        self.assertIn("sync/convoy/gil/workers:2", text)
        self.assertIn("`spawn/fork/threads/workers:1/pin:same-cpu`", text)
        self.assertIn("60 µs a task", text)  # apply, from the micro file
        self.assertIn("300 ns a task", text)  # apply_async
        self.assertIn("Not in this result file: sync/value", text)  # not run: said, with the command above it
        # without the micro file the page says how to get it; to standard output without --out
        p = self.concur("lessons", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("concur-micro --json", p.stdout)

    def test_outside_strings_stay_code(self):
        o = self.out()
        self.assertEqual(self.concur("run", "--suite", "smoke", "--workloads", "spawn/fork", "--models", "threads",
                                     "--out", o).returncode, 0)
        doc = load_results(o)
        doc["concur"]["benchmarks"][0]["name"] = "x`</code><script>alert(1)</script>\n## Injected"
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            json.dump(doc, f)
        p = self.concur("lessons", bad)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("\n## Injected", p.stdout)
        self.assertIn("`x'</code><script>alert(1)</script> ## Injected`", p.stdout)

    def test_bad_files_are_refused_with_the_position(self):
        broken = os.path.join(self.tmp.name, "broken.json")
        with open(broken, "w") as f:
            f.write('{"concur": {"benchmarks": [1,\n ]}')
        p = self.concur("lessons", broken)
        self.assertEqual(p.returncode, 2)
        self.assertIn("broken.json:2:", p.stderr)
        plain = os.path.join(self.tmp.name, "plain.json")
        with open(plain, "w") as f:
            json.dump({"benchmarks": []}, f)
        p = self.concur("lessons", plain)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a concur result file", p.stderr)
        p = self.concur("lessons")
        self.assertEqual(p.returncode, 2)
        p = self.concur("lessons", plain, plain, plain)
        self.assertEqual(p.returncode, 2)


def mpi_built():
    p = subprocess.run([CONCUR, "--help"], capture_output=True, text=True)
    return re.search(r"^  mpi\s", p.stdout, re.M) is not None


@unittest.skipUnless(mpi_built(), "this concur was built without MPI (scripts/deps.sh installs Open MPI)")
class Mpi(Base):
    def test_every_workload_of_the_smoke_suite_does_serials_work(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--models", "serial,mpi,mpi-static", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        ran = {"/".join(n.split("/")[:2]) for n, c in cells.items() if c["model"] == "mpi" and c["kind"] == "tasks"}
        self.assertEqual(ran, set(WORKLOADS) - {"sync/counter"})
        for name, c in cells.items():
            self.assertEqual(c["status"], "ok", name)
            self.assertTrue(c["checksum_ok"], name)
            if c["model"] == "mpi" and c["kind"] == "tasks":
                self.assertRegex(c["model_note"], r"^\d+ ranks on 1 host, [0-9.e+-]+ ms CPU from the gate, a master "
                                                  r"handing out \d+ chunks of \d+ tasks")
                self.assertEqual(len(c["worker_tasks"]), c["workers"])
                self.assertEqual(sum(c["worker_tasks"]), c["tasks"])
            if c["model"].startswith("mpi"):  # every rank's host, recorded as the run records its own machine
                (host,) = c["hosts"]["list"]
                self.assertEqual(c["hosts"]["count"], 1)
                self.assertEqual(host["machine_id"], doc["concur"]["machine"]["id"])
                self.assertEqual(host["ranks"], c["workers"] + (c["model"] == "mpi" and c["kind"] == "tasks"))
                self.assertEqual(c["placement"]["hosts"], [0] * c["workers"])  # each worker's host, by index
        p = self.concur("list", "--suite", "smoke", "--models", "serial,mpi", "--workloads", "counter", "--why")
        self.assertIn("ranks share none", p.stdout)

    def test_the_suites_run_it_on_the_cpu_headline_only(self):
        names = self.listed("--suite", "smoke")
        ranks = sorted(n for n in names if "/mpi" in n)
        self.assertEqual([n for n in ranks if not n.startswith("dist/")],
                         ["cpu/hash/mpi-static/workers:1/pin:core", "cpu/hash/mpi-static/workers:2/pin:core",
                          "cpu/hash/mpi/workers:1/pin:core", "cpu/hash/mpi/workers:2/pin:core"])
        # and the mpi executor's scenarios, at two roles on whichever pair of CPUs this machine has
        self.assertEqual({n.split("/")[1] for n in ranks if n.startswith("dist/")}, {"pingpong", "dispatch"})
        self.assertTrue(all("/mpi/workers:2/pin:" in n for n in ranks if n.startswith("dist/")))
        # the suites that sweep past the CPUs stop the mpi models at them (a launch a batch), the standard suite
        # runs them at the machine's size alone; --workers goes on
        cpus = allowed_cpus()
        workers = lambda n: int(n.split("workers:")[1].split("/")[0])
        standard = self.listed("--suite", "standard", "--workloads", "hash")
        self.assertTrue(any("/threads/workers:" in n and workers(n) > cpus for n in standard))
        self.assertEqual({workers(n) for n in standard if "/mpi" in n}, {cpus})
        p = self.concur("list", "--suite", "full", "--workloads", "hash", "--why")
        self.assertIn(f"the suites run mpi up to the {cpus} CPUs", p.stdout)
        self.assertIn(f"cpu/hash/mpi/workers:{2 * cpus}/pin:core",
                      self.listed("--suite", "standard", "--workloads", "hash", "--workers", f"1,{2 * cpus}"))

    def run_fault(self, *args):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "fault", "--models", "mpi,mpi-static,threads",
                        "--workers", "2", "--param", "where=1", "--out", o, *args, binary=CONCUR_TEST)
        self.assertEqual(p.returncode, 1, p.stderr[-3000:])
        cells = self.cells(load_results(o))
        self.assertEqual(cells["cpu/fault/threads/workers:2/pin:core"]["status"], "ok", "the run goes on")
        return [cells[f"cpu/fault/{m}/workers:2/pin:core"] for m in ("mpi", "mpi-static")]

    def test_a_rank_killed_mid_batch_fails_its_cell(self):
        for c in self.run_fault("--param", "mode=1", "--param", "at=5"):
            self.assertEqual(c["status"], "failed", c)
            self.assertIn("signal 11", c["error"])
            self.assertIn("mpi: the job failed", c["error"])

    def test_a_hung_rank_is_ended_by_the_watchdog(self):
        start = time.time()
        for c in self.run_fault("--param", "mode=2", "--param", "at=5", "--timeout", "2", "--repetitions", "2"):
            self.assertEqual(c["status"], "timeout", c)
        self.assertLess(time.time() - start, 120, "the watchdog ends it, not the test's timeout")
        # tearDown: no rank, no mpiexec is left (they carry the test's tag in their environment)

    def test_options(self):
        self.assertUsageError(["run", "--models", "mpi", "--mpi-chunk", "0"], "--mpi-chunk")
        self.assertUsageError(["run", "--models", "mpi", "--hosts", "a;rm -rf /"], "--hosts")
        self.assertUsageError(["run", "--models", "mpi", "--hosts", "a", "--hostfile", "/etc/hostname"], "--hostfile")
        self.assertUsageError(["run", "--models", "mpi", "--hostfile", "/nonexistent"], "--hostfile")
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "hash", "--models", "mpi", "--workers", "2",
                        "--mpi-chunk", "7", "--hosts", "localhost:3", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        (c,) = load_results(o)["concur"]["benchmarks"]
        self.assertRegex(c["model_note"], r"^3 ranks on 1 host, .*, a master handing out \d+ chunks of 7 tasks")
        self.assertTrue(c["checksum_ok"])
        # with --hosts each host plans its own ranks by its topology: here the plan concur run makes
        self.assertTrue(c["placement"]["valid"], c["placement"])
        self.assertEqual(c["placement"]["observed"], [[cpu] for cpu in c["placement"]["requested"]])
        p = self.concur("topo", "--json", "--workers", "2", "--pin", "core")
        self.assertEqual(c["placement"]["requested"], [w["cpu"] for w in json.loads(p.stdout)["plans"][0]["plan"]])

    def test_the_dist_scenarios_run_on_ranks(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "dist/pingpong,dist/dispatch", "--param",
                        "size=1,4K,1M", "--param", "chunk=1,7", "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        self.assertEqual(sorted(cells), sorted(self.listed("--suite", "smoke", "--workloads", "dist/pingpong,dist/dispatch",
                                                           "--param", "size=1,4K,1M", "--param", "chunk=1,7")))
        sizes = set()
        for name, c in cells.items():
            self.assertEqual(c["status"], "ok", name)
            self.assertTrue(c["checksum_ok"], name)
            self.assertEqual(c["model"], "mpi")
            self.assertEqual(c["hosts"]["list"][0]["machine_id"], doc["concur"]["machine"]["id"])
            if name.startswith("dist/pingpong/"):
                size = c["params"]["size"]
                sizes.add(size)
                self.assertEqual(c["worker_tasks"], [c["tasks"], c["tasks"]])  # every round trip, both ends
                self.assertGreater(c["scenario"]["metrics"]["one_way_us"]["value"], 0)
            else:  # the master handed out every task, the worker did each
                self.assertEqual(c["worker_tasks"], [c["tasks"], c["tasks"]])
        self.assertEqual(sizes, {1, 4096, 1 << 20})
        more = len(os.sched_getaffinity(0)) + 1
        p = self.concur("list", "--workloads", "dist/dispatch", "--workers", f"2,{more}", "--why")
        self.assertIn("busy-wait", p.stdout + p.stderr)  # MPI's blocking receive polls: never more ranks than CPUs


class Servers(Base):
    """Every IO model of server/ run alone (concur serve) against a client written here, not concur's generator."""
    MODELS = ["blocking-thread", "blocking-process", "prefork", "thread-pool", "nonblocking", "select", "poll", "epoll",
              "epoll-et", "io-uring", "coroutines", "coro-pool", "hybrid"]

    def setUp(self):
        super().setUp()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))

    def serve(self, model, *args):
        p = subprocess.Popen([CONCUR, "serve", model, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=self.env, cwd=self.tmp.name)
        line = p.stdout.readline()
        m = re.search(r"(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)", line)
        if not m:
            p.kill()
            self.fail(f"{model}: no port in {line!r}: {p.stderr.read()}")
        return p, int(m.group(1))

    def children(self, pid):
        kids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                            kids.append(int(d))
                except (OSError, IndexError, ValueError):
                    pass
        return kids

    def test_every_model_answers_every_request_at_1_100_1000_connections(self):
        for model in self.MODELS:
            for n in (1, 100, 1000):
                with self.subTest(model=model, conns=n):
                    p, port = self.serve(model, "--workers", str(n))  # prefork: a process a connection
                    socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(n)]
                    for i, s in enumerate(socks):
                        req = bytes(ord("a") + (i + k) % 26 for k in range(64))
                        s.sendall(req)
                        got = b""
                        while len(got) < 64:
                            part = s.recv(64 - len(got))
                            self.assertTrue(part, f"{model}: connection {i} closed before its reply")
                            got += part
                        self.assertEqual(got, req.upper())
                    kids = self.children(p.pid)
                    for s in socks:
                        s.close()
                    p.send_signal(signal.SIGINT)
                    try:
                        rc = p.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
                        self.fail(f"{model} at {n} connections did not end after SIGINT")
                    err = p.stderr.read()
                    p.stdout.close()
                    p.stderr.close()
                    self.assertEqual(rc, 0, err)
                    self.assertIn(f"{n} requests answered", err)
                    for k in kids:
                        self.assertFalse(os.path.exists(f"/proc/{k}"), f"{model}: process {k} left behind")
                    with socket.socket() as free:
                        free.bind(("127.0.0.1", port))  # the port is free again

    def test_closed_and_open_loops_check_every_reply(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "server/epoll,server/blocking-thread",
                        "--param", "conns=3", "--param", "rate=0,20000", "--pin", self.cross_pair(), "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = load_results(o)
        self.assertValid(doc)
        cells = self.cells(doc)
        self.assertEqual(len(cells), 4)
        for name, c in cells.items():
            self.assertEqual(c["status"], "ok", name)
            self.assertEqual(c["checksum"], c["reference_checksum"])
            m = {k: v["value"] for k, v in c["scenario"]["metrics"].items()}
            self.assertGreater(m["requests_per_s"], 0)
            self.assertGreater(m["server_cpu_us_per_req"], 0)
            self.assertGreater(c["latency"]["samples"], 0)
        for rate in (0, 20000):  # the same requests whatever serves them
            self.assertEqual(len({c["checksum"] for c in cells.values() if c["params"]["rate"] == rate}), 1)

    def test_multiplexing_servers_on_several_threads(self):
        o = self.out()
        models = ["server/select", "server/poll", "server/epoll", "server/epoll-et", "server/io-uring",
                  "server/nonblocking"]
        if os.environ.get("CONCUR_SANITIZE") == "thread":
            # liburing maps its rings with raw system calls, which ThreadSanitizer does not see: a ring that
            # gets the address of another thread's ended one is reported as a race that is not there
            models.remove("server/io-uring")
        p = self.concur("run", "--suite", "smoke", "--workloads", ",".join(models), "--param", "conns=8",
                        "--param", "threads=3", "--pin", self.cross_pair(), "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        cells = self.cells(load_results(o))
        self.assertEqual(len(cells), len(models))
        for name, c in cells.items():
            self.assertEqual(c["status"], "ok", name)
            self.assertEqual(c["checksum"], c["reference_checksum"])

    def test_a_connection_per_request(self):
        o = self.out()
        p = self.concur("run", "--suite", "smoke", "--workloads", "server/blocking-process,server/epoll",
                        "--param", "conns=2", "--param", "reconnect=1", "--pin", self.cross_pair(), "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        cells = self.cells(load_results(o))
        self.assertEqual(len(cells), 2)
        for name, c in cells.items():
            self.assertEqual(c["status"], "ok", name)
            self.assertEqual(c["checksum"], c["reference_checksum"])
        p = self.concur("list", "--workloads", "server/epoll", "--param", "reconnect=1", "--param", "rate=0,1000", "--why")
        self.assertIn("connecting per request is a closed loop's", p.stdout)

    def test_bad_serve_arguments(self):
        self.assertUsageError(["serve", "carrier-pigeon"], "serve", "not an IO model", "epoll")
        self.assertUsageError(["serve"], "serve")
        self.assertUsageError(["serve", "epoll", "--port", "70000"], "--port")
        self.assertUsageError(["serve", "epoll", "--param", "size=8,16"], "--param", "one value")
        self.assertUsageError(["serve", "epoll", "--param", "ns=5"], "--param", "no parameter 'ns'")
        self.assertUsageError(["serve", "epoll", "--workers", "1,2"], "--workers", "one count")
        self.assertUsageError(["serve", "epoll", "--bind", "localhost"], "--bind", "IPv4 address")
        self.assertUsageError(["run", "--bind", "0.0.0.0"], "--bind")

    def test_bind_listens_where_asked_and_loopback_otherwise(self):
        for bind, where in ((None, "127.0.0.1"), ("0.0.0.0", "0.0.0.0")):
            p, port = self.serve("epoll", *(("--bind", bind) if bind else ()))
            with open("/proc/net/tcp") as f:
                listening = [l.split()[1] for l in f.read().splitlines()[1:] if l.split()[3] == "0A"]
            host = "".join(reversed([("%02X" % int(b)) for b in where.split(".")]))
            self.assertIn("%s:%04X" % (host, port), listening, bind)
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"x" * 64)
                got = b""
                while len(got) < 64:
                    got += s.recv(64 - len(got))
                self.assertEqual(got, b"X" * 64)
            p.send_signal(signal.SIGINT)
            self.assertEqual(p.wait(timeout=30), 0, p.stderr.read())


class PageLinks(html.parser.HTMLParser):
    """Every img src and a href of a page, and its element ids."""

    def __init__(self):
        super().__init__()
        self.targets, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img" and "src" in a:
            self.targets.append(a["src"])
        if tag == "a" and "href" in a:
            self.targets.append(a["href"])


# Loads the page in an iframe of the same folder tree (file access allowed between files) and reports what a
# person would meet: images that did not load, where the headline table is, the first screen's height.
HARNESS = """<!doctype html><html><body style="margin:0">
<iframe id="f" src="%s" style="width:1280px;height:800px;border:0"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, h = d.getElementById('headline-table'), r = {};
  r.headline_bottom = h ? h.getBoundingClientRect().bottom : -1;
  r.screen = this.contentWindow.innerHeight;
  r.images = d.images.length;
  r.broken = Array.from(d.images).filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                                  .map(function (i) { return i.getAttribute('src'); });
  document.getElementById('out').textContent = JSON.stringify(r);
};
</script></body></html>"""


class Page(Base):
    """The report page, index.html, checked in a real browser (headless Chromium)."""

    def setUp(self):
        super().setUp()
        self.browser = find_browser()
        if not self.browser:
            self.skipTest("no chromium here: scripts/deps.sh installs it (apt-get install chromium)")

    def fixture(self, name, *args):
        o = self.out(name)
        p = self.concur("run", "--suite", "smoke", "--repetitions", "2", "--out", o, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return o

    def browse(self, page_dir, shot):
        """Opens page_dir/index.html in Chromium: what the harness measured, the console, a screenshot."""
        harness = os.path.join(os.path.dirname(page_dir), "harness-%s.html" % os.path.basename(page_dir))
        with open(harness, "w") as f:
            f.write(HARNESS % (os.path.basename(page_dir) + "/index.html"))
        flags = [self.browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--allow-file-access-from-files", "--virtual-time-budget=10000"]
        p = subprocess.run(flags + ["--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + harness],
                           capture_output=True, text=True, timeout=180)
        got = re.search(r'<pre id="out">(.*?)</pre>', p.stdout)
        self.assertIsNotNone(got, p.stderr[-2000:])
        self.assertNotEqual(got.group(1), "pending", "the page did not load in the browser")
        measured = json.loads(got.group(1))
        console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l and "index.html" in l]
        png = os.path.join(os.environ.get("CONCUR_ARTIFACTS", self.tmp.name), shot)
        subprocess.run(flags + ["--window-size=1280,800", "--screenshot=" + png, "file://" + page_dir + "/index.html"],
                       capture_output=True, timeout=180)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", "a screenshot for a person to look at")
        return measured, console

    def assertGoodPage(self, page_dir, shot):
        with open(os.path.join(page_dir, "index.html")) as f:
            text = f.read()
        links = PageLinks()
        links.feed(text)
        for t in links.targets:
            self.assertFalse(re.match(r"[a-z]+:", t), "nothing is fetched from the network: %s" % t)
            if t.startswith("#"):
                self.assertIn(t[1:], links.ids, "a link to nowhere in the page: %s" % t)
            else:
                self.assertTrue(os.path.isfile(os.path.join(page_dir, t)), "a link to a missing file: %s" % t)
        measured, console = self.browse(page_dir, shot)
        self.assertEqual(measured["broken"], [], "images that did not load in the browser")
        self.assertGreater(measured["images"], 0)
        self.assertGreater(measured["headline_bottom"], 0, "the page has its headline table")
        self.assertLessEqual(measured["headline_bottom"], measured["screen"], "the headline is on the first screen")
        self.assertEqual(console, [], "console messages of the page")
        return text

    def plot(self, *files, name="page"):
        out = os.path.join(self.tmp.name, name)
        p = self.concur("plot", *files, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        return out

    def test_one_file(self):
        a = self.fixture("a.json", "--models", "serial,threads,coroutines,coro-pool")
        out = self.plot(a)
        text = self.assertGoodPage(out, "page-one-file.png")
        for section in ("Machine", "Run", "Headline", "Contents", "How to read the figures"):
            self.assertIn(section, text)
        self.assertLess(text.index("headline-table"), text.index("<nav>"), "the answer comes before the contents")
        self.assertNotIn("compare.html", text, "one file: nothing to compare")
        # same files, same page, byte for byte
        again = self.plot(a, name="again")
        with open(os.path.join(again, "index.html")) as f:
            self.assertEqual(f.read(), text)
        for tsv in os.listdir(os.path.join(out, "data")):
            with open(os.path.join(out, "data", tsv)) as f, open(os.path.join(again, "data", tsv)) as g:
                self.assertEqual(f.read(), g.read(), tsv)

    def test_two_machines(self):
        a = self.fixture("a.json", "--models", "serial,threads,thread-pool", "--workloads", "hash,sleep,cpu-io")
        b = self.edited(a, "b.json", lambda doc: doc["concur"]["machine"].update(id="0123456789ab"))
        out = self.plot(a, b)
        text = self.assertGoodPage(out, "page-two-machines.png")
        self.assertIn("0123456789ab", text)
        self.assertIn('href="compare.html"', text)
        with open(os.path.join(out, "compare.html")) as f:
            cmp = f.read()
        self.assertIn("<table>", cmp)
        self.assertIn("cpu/hash/threads/workers:2/pin:core", cmp)

    def test_a_history_directory(self):
        a = self.fixture("a.json", "--models", "serial,threads", "--workloads", "hash,spin")
        runs = os.path.join(self.tmp.name, "runs")
        os.mkdir(runs)
        for k in range(5):
            def dated(doc, k=k):
                doc["context"]["date"] = "2026-12-0%dT00:00:00+00:00" % (k + 1)
            os.rename(self.edited(a, "r%d.json" % k, dated), os.path.join(runs, "r%d.json" % k))
        out = self.plot(runs)
        text = self.assertGoodPage(out, "page-history.png")
        self.assertIn("the newest of 5 runs", text)
        self.assertIn("2026-12-05", text)
        self.assertEqual(text.count("<code>%s/r" % runs), 5, "the page says which files")


class Schema(Base):
    """The schema itself must be able to fail, or validating against it proves nothing."""

    def setUp(self):
        super().setUp()
        o = self.out()
        # both kinds: a batch of tasks and scenarios, one with figures of its own (spawn/zombie)
        p = self.concur("run", "--suite", "smoke", "--filter", "hash/(serial|threads)|(switch/pipe|zombie)/threads",
                        "--out", o)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.doc = load_results(o)
        self.path = o

    def test_written_results_are_valid(self):
        self.assertValid(self.doc)
        VALIDATOR.check_schema(SCHEMA)
        kinds = {b["kind"] for b in self.doc["concur"]["benchmarks"]}
        self.assertEqual(kinds, {"tasks", "scenario"})
        zombie = [b for b in self.doc["concur"]["benchmarks"] if b["workload"] == "zombie"][0]["scenario"]["metrics"]
        self.assertEqual(set(zombie), {"zombies_max", "zombie_p50_us", "zombie_max_us"})
        self.assertEqual(zombie["zombies_max"]["aggregate"], "max")
        row = [b for b in self.doc["benchmarks"] if "zombie" in b["name"]][0]
        self.assertIn("zombies_max", row)  # a Google Benchmark counter too

    def test_google_benchmarks_compare_py_reads_them(self):
        # the library's own comparison tool (libbenchmark-tools, with scipy), on a file with both kinds
        tool = "/usr/share/benchmark/compare.py"
        if not os.path.exists(tool):
            self.skipTest("no %s: scripts/deps.sh installs libbenchmark-tools" % tool)
        p = subprocess.run([CONCUR_PYTHON, tool, "benchmarks", self.path, self.path], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("cpu/hash/threads/workers:2/pin:core/manual_time", p.stdout)
        self.assertIn("switch/pipe/threads/workers:2/pin:same-cpu/manual_time", p.stdout)

    def invalid(self, mutate):
        doc = json.loads(json.dumps(self.doc))
        mutate(doc)
        self.assertFalse(VALIDATOR.is_valid(doc))

    def test_broken_documents_are_rejected(self):
        self.invalid(lambda d: d.pop("concur"))
        self.invalid(lambda d: d["concur"].pop("machine"))
        self.invalid(lambda d: d["concur"]["benchmarks"][0].update(checksum_ok=False))
        self.invalid(lambda d: d["concur"]["benchmarks"][0].update(name="hash-threads"))
        self.invalid(lambda d: d["concur"]["benchmarks"][0]["placement"].update(valid=False))  # no reason
        self.invalid(lambda d: d["concur"]["benchmarks"][0].pop("placement"))
        self.invalid(lambda d: d["concur"]["benchmarks"][0]["latency"].pop("p99"))
        self.invalid(lambda d: d["concur"]["benchmarks"][0].update(pin="sideways"))
        self.invalid(lambda d: d["concur"].update(schema_version=2))


if __name__ == "__main__":
    unittest.main()
