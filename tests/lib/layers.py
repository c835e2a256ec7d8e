#!/usr/bin/env python3
"""The layering rule of lib/, checked (`make layers`, part of `make check`).

lib/ is split into layers, one folder each; a module is lib/LAYER/NAME.c and
its header. A file may include the headers of its own layer and of the
layers below it, never above, and no two modules may include each other,
directly or round a longer loop:

    app      config, server: the configuration and the programs' frame
    svc      what the service does: sessions, calls, events, the pool
    twilio   Twilio's REST API: the client, the Conversations API
    net      the outbound HTTP engine (libcurl), which knows no Twilio
    web      the inbound HTTP side: requests, answers, routes, signatures
    core     no knowledge of HTTP or Twilio: buffers, text, JSON, logs

web and net are side by side: neither includes the other. cgi/ may include
any layer. With a build folder as argument it also checks that every
symbol an object file exports carries its module's name as a prefix
(NAME_..., or NAME itself), so that a module is found from any of its
symbols.

Prints one line per breach and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

# LAYERS_TOP: another tree to check (the check's own test, tests/e2e/layers.bats).
TOP = os.environ.get("LAYERS_TOP") or \
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Which layers each layer may include (its own always).
MAY_INCLUDE = {
    "core": set(),
    "web": {"core"},
    "net": {"core"},
    "twilio": {"core", "net"},
    "svc": {"core", "web", "net", "twilio"},
    "app": {"core", "web", "net", "twilio", "svc"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def modules():
    """{(layer, name): [paths]} of every module under lib/."""
    mods = {}
    lib = os.path.join(TOP, "lib")
    for layer in sorted(os.listdir(lib)):
        d = os.path.join(lib, layer)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            name, ext = os.path.splitext(f)
            if ext in (".c", ".h"):
                mods.setdefault((layer, name), []).append(os.path.join(d, f))
    return mods


def check_includes(mods, problems):
    graph = {}
    for (layer, name), paths in mods.items():
        if layer not in MAY_INCLUDE:
            problems.append(f"lib/{layer}/: not a known layer (tests/lib/layers.py)")
            continue
        deps = graph.setdefault((layer, name), set())
        for p in paths:
            rel = os.path.relpath(p, TOP)
            for inc in INCLUDE.findall(open(p, encoding="utf-8").read()):
                if "/" not in inc:
                    if inc != "areacodes_data.h":
                        problems.append(f"{rel}: #include \"{inc}\" names no layer")
                    continue
                il, iname = inc.split("/", 1)
                iname = os.path.splitext(iname)[0]
                if (il, iname) not in mods:
                    problems.append(f"{rel}: #include \"{inc}\": no such module")
                    continue
                if il != layer and il not in MAY_INCLUDE[layer]:
                    problems.append(f"{rel}: #include \"{inc}\": {layer} may not "
                                    f"include {il} (a layer above it or beside it)")
                if (il, iname) != (layer, name):
                    deps.add((il, iname))
    # Cycles between modules: a depth-first search that reports each once.
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                loop = stack[stack.index(d):] + [d]
                problems.append("include cycle: " +
                                " -> ".join(f"{a}/{b}" for a, b in loop))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def check_symbols(build, mods, problems):
    for (layer, name) in sorted(mods):
        obj = os.path.join(build, "lib", layer, name + ".o")
        if not os.path.exists(obj):
            continue
        out = subprocess.run(["nm", "--defined-only", "-g", obj],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) != 3:
                continue
            sym = parts[2]
            if sym != name and not sym.startswith(name + "_"):
                problems.append(f"lib/{layer}/{name}.c exports {sym}, "
                                f"not prefixed {name}_")


def main():
    mods = modules()
    problems = []
    check_includes(mods, problems)
    if len(sys.argv) > 1:
        check_symbols(sys.argv[1], mods, problems)
    for p in problems:
        print(p)
    layers = sorted({layer for layer, _ in mods})
    print(f"layers: {len(mods)} modules in {len(layers)} layers "
          f"({', '.join(layers)}), {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
