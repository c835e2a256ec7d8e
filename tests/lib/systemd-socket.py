#!/usr/bin/env python3
"""systemd-socket.py UNIT-TEXT: what systemd does with a socket-activated
service, for the tests on machines (containers, CI) without systemd.

UNIT-TEXT is a .socket unit, its .service unit and the service's drop-ins, in
that order, one file (tests/lib/servers.bash makes it from deploy/systemd/).
Like systemd, this:

* makes the socket (ListenStream= path, SocketUser=, SocketGroup=,
  SocketMode=, parent folders 0755) and keeps it for its whole life;
* starts the service (ExecStart=) on the first connection, as User=/Group=,
  with nothing in its environment but Environment=/EnvironmentFile= (later
  assignments win, as in drop-ins), PATH, and USER/LOGNAME/HOME; the socket
  on fd 0 with StandardInput=socket, else on fd 3 with LISTEN_FDS/LISTEN_PID;
  stdout and stderr are ours (the journal, here the test's error log);
* after the service exits, restarts it after RestartSec= when it failed and
  Restart=on-failure (or always), else waits for the next connection;
  connections made meanwhile wait in the socket's backlog;
* logs each exit of the service as the journal says it, on stderr:
  "UNIT: Main process exited, code=killed, status=11/SEGV (pid N)" (killed,
  dumped or exited, and the status) then "UNIT: Failed with result 'signal'."
  (or 'core-dump', 'exit-code') when it failed, "UNIT: Scheduled restart
  job." when it is restarted, and "UNIT: Deactivated successfully." when it
  ended cleanly; an exit nobody asked for (not after our SIGTERM) gets the
  "Main process exited" line even when clean, as the journal's debug level
  has it: the tests count every such line as a worker that died;
* on SIGTERM, stops the service with SIGTERM, waits for it, and exits.

Only the settings deploy/systemd/ uses are understood; any other setting in
[Socket] or [Service] that would change behaviour makes it refuse to start.
"""
import grp
import os
import pwd
import select
import shlex
import signal
import socket
import sys
import time

# Settings that change nothing here (hardening, ordering, descriptions).
IGNORED = {
    "Description", "Requires", "After", "Wants", "WantedBy", "Also",
    "StandardOutput", "StandardError", "NoNewPrivileges", "PrivateTmp",
    "PrivateDevices", "ProtectSystem", "ProtectHome", "ProtectKernelTunables",
    "ProtectKernelModules", "ProtectControlGroups", "RestrictAddressFamilies",
    "RestrictNamespaces", "LockPersonality", "MemoryDenyWriteExecute",
    "SystemCallArchitectures", "Documentation",
}
MULTI = {"Environment", "EnvironmentFile"}
CLEAN_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE}


def parse(path):
    settings = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;" or line.startswith("["):
                continue
            key, _, value = line.partition("=")
            key = key.strip()
            value = value.strip()
            if key in MULTI:
                settings.setdefault(key, []).append(value)
            elif key in IGNORED:
                continue
            elif key in {"ListenStream", "SocketUser", "SocketGroup",
                         "SocketMode", "ExecStart", "StandardInput", "User",
                         "Group", "Restart", "RestartSec"}:
                settings[key] = value
            else:
                sys.exit("systemd-socket.py: %s=: not emulated" % key)
    return settings


def environment(settings):
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if name in os.environ:
            env[name] = os.environ[name]
    user = settings.get("User")
    if user:
        pw = pwd.getpwnam(user)
        env.update(USER=user, LOGNAME=user, HOME=pw.pw_dir)
    for value in settings.get("EnvironmentFile", []):
        optional = value.startswith("-")
        try:
            with open(value.lstrip("-")) as f:
                for line in f:
                    line = line.strip()
                    if line and line[0] not in "#;" and "=" in line:
                        k, _, v = line.partition("=")
                        env[k.strip()] = v.strip().strip("'\"")
        except OSError:
            if not optional:
                raise
    for value in settings.get("Environment", []):
        for assignment in shlex.split(value):
            k, _, v = assignment.partition("=")
            env[k] = v
    return env


def make_socket(settings):
    path = settings["ListenStream"]
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(socket.SOMAXCONN)
    s.set_inheritable(True)
    uid = pwd.getpwnam(settings["SocketUser"]).pw_uid if "SocketUser" in settings else -1
    gid = grp.getgrnam(settings["SocketGroup"]).gr_gid if "SocketGroup" in settings else -1
    if os.geteuid() == 0:
        os.chown(path, uid, gid)
    os.chmod(path, int(settings.get("SocketMode", "0666"), 8))
    return s


def start(settings, env, sock):
    argv = shlex.split(settings["ExecStart"])
    pid = os.fork()
    if pid:
        return pid
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        if settings.get("StandardInput") == "socket":
            os.dup2(sock.fileno(), 0)
        else:
            os.dup2(null, 0)
            os.dup2(sock.fileno(), 3)
            env = dict(env, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
        user = settings.get("User")
        if user and os.geteuid() == 0:
            pw = pwd.getpwnam(user)
            gid = grp.getgrnam(settings["Group"]).gr_gid if "Group" in settings else pw.pw_gid
            os.setgroups([])
            os.setgid(gid)
            os.setuid(pw.pw_uid)
        os.closerange(4, 1024)
        if settings.get("StandardInput") == "socket":
            os.closerange(3, 4)
        os.execve(argv[0], argv, env)
    except BaseException as e:  # noqa: the child must never return
        print("systemd-socket.py: %s: %s" % (argv[0], e), file=sys.stderr)
        os._exit(127)


def failed(status):
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status) not in CLEAN_SIGNALS
    return os.WEXITSTATUS(status) != 0


def log(text):
    print("systemd-socket.py: %s" % text, file=sys.stderr, flush=True)


def log_exit(unit, pid, status, asked, restarting):
    """The journal's lines for the service's exit (see the docstring)."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        code = "dumped" if os.WCOREDUMP(status) else "killed"
        try:
            name = signal.Signals(sig).name[3:]
        except ValueError:
            name = str(sig)
        what = "status=%d/%s" % (sig, name)
        result = "core-dump" if code == "dumped" else "signal"
    else:
        code = "exited"
        rc = os.WEXITSTATUS(status)
        what = "status=%d/%s" % (rc, "SUCCESS" if rc == 0 else "FAILURE")
        result = "exit-code"
    if failed(status) or not asked:
        log("%s: Main process exited, code=%s, %s (pid %d)" % (unit, code, what, pid))
    if failed(status):
        log("%s: Failed with result '%s'." % (unit, result))
    else:
        log("%s: Deactivated successfully." % unit)
    if restarting:
        log("%s: Scheduled restart job." % unit)


def main():
    settings = parse(sys.argv[1])
    env = environment(settings)
    sock = make_socket(settings)
    stopping = False
    child = 0

    def on_term(signum, frame):
        nonlocal stopping
        stopping = True
        if child:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    # The combined file is named after the instance (masked@sessions).
    unit = os.path.basename(sys.argv[1]) + ".service"
    log("listening on %s" % settings["ListenStream"])
    restart_now = False
    while not stopping:
        if not restart_now:
            try:
                ready, _, _ = select.select([sock], [], [], 0.2)
            except InterruptedError:
                continue
            if not ready:
                continue
        child = start(settings, env, sock)
        if stopping:
            os.kill(child, signal.SIGTERM)
        pid = child
        _, status = os.waitpid(pid, 0)  # retried after on_term (PEP 475)
        child = 0
        restart = settings.get("Restart", "no")
        restart_now = not stopping and (restart == "always" or (
            restart == "on-failure" and failed(status)))
        log_exit(unit, pid, status, stopping, restart_now)
        if stopping:
            break
        if restart_now:
            time.sleep(float(settings.get("RestartSec", "0.1").rstrip("s")))
    sock.close()


if __name__ == "__main__":
    main()
