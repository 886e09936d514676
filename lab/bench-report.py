#!/usr/bin/python3
"""Turn the logs of make bench into a table, a CSV file and two plots.

Input: the serial logs of the two boots (lsm= without and with hornet) and
the host's log, whose "hornet-bench: KIND key=value ..." lines
tools/testing/selftests/hornet/hornet_bench.c and lab/bench.sh print.
Output, in --out: bench.csv (every number measured), bench.md (the table),
load-vs-map.png and load-vs-exe.png (gnuplot), and the table on stdout.

Each case ran in batches; a batch's figure is the median of its operations
(the CSV also has their mean and minimum), a case's figure the median of
its batches, its noise the spread of the batches around that median:
IQR/median and (max-min)/median.
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import sys

LINE = re.compile(r'hornet-bench: (\S+)((?: \S+=\S*)*)\s*$')
MIB = 1 << 20
KIB = 1 << 10


def parse(path, boot, rows, meta, errors):
    """Read one log's measurement lines into rows (dicts)."""
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.replace('\r', '').rstrip('\n')
            i = line.find('hornet-bench: ')
            if i < 0:
                continue
            line = line[i:]
            if line.startswith('hornet-bench: unsigned load:'):
                meta[boot + '.unsigned'] = line.split(':', 2)[2].strip()
                continue
            if line.startswith('hornet-bench: error:'):
                errors.append('%s: %s' % (boot, line.split(':', 2)[2].strip()))
                continue
            m = LINE.match(line)
            if not m:
                continue
            kind = m.group(1)
            kv = dict(x.split('=', 1) for x in m.group(2).split())
            if kind in ('begin', 'end', 'hostload'):
                for k, v in kv.items():
                    meta['%s.%s.%s' % (boot, kind, k)] = v
                if kind == 'hostload':
                    meta['host.load.' + kv.get('when', '?')] = kv.get('loadavg', '?')
                continue
            kv['kind'] = kind
            kv['boot'] = boot
            rows.append(kv)


def payload_map_bytes(path):
    """The map contents a payload's records describe, in bytes."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 32 or data[:8] != b'HORNETPL':
        return None
    nr = int.from_bytes(data[28:32], 'little')
    total = 0
    for i in range(nr):
        rec = data[32 + 64 * i:32 + 64 * (i + 1)]
        total += int.from_bytes(rec[8:12], 'little') * int.from_bytes(rec[12:16], 'little')
    return total


def stats(values):
    """Median, IQR/median and (max-min)/median of a list of numbers."""
    med = statistics.median(values)
    if len(values) >= 4:
        q = statistics.quantiles(values, n=4, method='inclusive')
        iqr = q[2] - q[0]
    else:
        iqr = max(values) - min(values)
    spread = max(values) - min(values)
    return med, (iqr / med if med else 0.0), (spread / med if med else 0.0)


def time_field(row):
    """A batch's figure: the median of its operations where the log has
    it (stalls of a busy host hit a few operations), else their mean."""
    return 'med' if 'med' in row else 'ns'


class Data:
    def __init__(self, rows):
        self.rows = rows
        self.noise = []     # (what, IQR/median, spread/median)

    def series(self, boot, kind, **match):
        out = []
        for r in self.rows:
            if r['boot'] != boot or r['kind'] != kind:
                continue
            if all(r.get(k) == str(v) for k, v in match.items()):
                out.append(r)
        return out

    def med(self, boot, kind, field=None, label=None, **match):
        rs = self.series(boot, kind, **match)
        if not rs:
            return None
        vals = [float(r[field or time_field(r)]) for r in rs]
        med, iqr, spread = stats(vals)
        if label:
            self.noise.append(('%s %s' % (boot, label), iqr, spread))
        return med

    def spread(self, boot, kind, **match):
        """IQR/median of a series, in percent, or '-'."""
        vals = [float(r[time_field(r)]) for r in self.series(boot, kind, **match)]
        return '%.0f%%' % (100 * stats(vals)[1]) if vals else '-'

    def load(self, boot, case, tag='-', exe=None):
        match = {'case': case, 'tag': tag}
        if exe is not None:
            match['exe'] = exe
        label = case + ('' if tag == '-' else ' ' + tag)
        if exe is not None:
            label += ' exe=%s' % human(exe)
        return self.med(boot, 'load', label=label, **match)


def human(n):
    n = int(n)
    for unit, size in (('GiB', 1 << 30), ('MiB', MIB), ('KiB', KIB)):
        if n >= size and n % size == 0:
            return '%d %s' % (n // size, unit)
    return '%d B' % n


def ms(ns):
    return '-' if ns is None else '%.3f' % (ns / 1e6)


def ratio(a, b):
    return None if a is None or b is None or not b else a / b


def fmt_ratio(r):
    return '-' if r is None else '%.2fx' % r


def verdict(value, limit):
    if value is None:
        return 'n/a'
    return 'met' if value <= limit else 'MISSED'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--base', required=True)
    ap.add_argument('--hornet', required=True)
    ap.add_argument('--host', required=True)
    ap.add_argument('--payloads', required=True,
                    help='the selftests build\'s bench/ folder')
    ap.add_argument('--out', required=True)
    ap.add_argument('--elapsed', type=int, default=0)
    a = ap.parse_args()

    rows, meta, errors = [], {}, []
    parse(a.base, 'base', rows, meta, errors)
    parse(a.hornet, 'hornet', rows, meta, errors)
    parse(a.host, 'host', rows, meta, errors)
    d = Data(rows)
    problems = []
    # The baseline must be one: no Hornet, unsigned loads pass.
    if meta.get('base.begin.hornet') != '0':
        problems.append('base boot: hornet active (lsm=%s)' % meta.get('base.begin.lsm'))
    if meta.get('hornet.begin.hornet') != '1':
        problems.append('hornet boot: hornet not active (lsm=%s)' % meta.get('hornet.begin.lsm'))
    for boot in ('base', 'hornet'):
        clock = meta.get(boot + '.begin.clock')
        if clock is not None and clock != 'tsc':
            problems.append('%s boot: clock %s, not tsc: times are coarse' % (boot, clock))
    if not meta.get('base.unsigned', '').startswith('accepted'):
        problems.append('base boot: unsigned load not accepted: %s' % meta.get('base.unsigned'))
    if meta.get('hornet.unsigned', '').startswith('accepted'):
        problems.append('hornet boot: unsigned load accepted')

    def psize(name):
        p = os.path.join(a.payloads, name + '.payload')
        return os.path.getsize(p) if os.path.exists(p) else None

    # ---- the unavoidable work, measured in the Hornet boot ------------
    sha_mib = d.med('hornet', 'sha256', label='sha256 1 MiB', bytes=MIB)
    sha_byte = sha_mib / MIB if sha_mib else None

    def pkcs7(case):
        p = d.med('hornet', 'pkcs7_test', label='pkcs7_test ' + case, case=case)
        u = d.med('hornet', 'user', label='user key ' + case, case=case)
        return None if p is None or u is None else max(p - u, 0.0)

    p7 = {c: pkcs7(c) for c in ('raw-nomap', 'raw-map-64', 'lskel-counter', 'lskel-atomics')}

    def reference(case, map_bytes=None):
        """One PKCS#7 verification + one SHA-256 pass over what is signed:
        the payload and the map contents its records describe."""
        sig = p7.get(case) if case in p7 else p7.get('raw-map-64')
        plen = psize(case) if psize(case) else psize('raw-map-64')
        if map_bytes is None and psize(case):
            map_bytes = payload_map_bytes(os.path.join(a.payloads, case + '.payload'))
        if sig is None or sha_byte is None or plen is None or map_bytes is None:
            return None
        return sig + sha_byte * (plen + map_bytes)

    table = []   # (what, base, hornet, ratio, extra/ref, goal, verdict)

    def add(what, b, h, extra_ref=None, goal='', ok='', noise='-'):
        table.append((what, ms(b), ms(h), fmt_ratio(ratio(h, b)),
                      fmt_ratio(extra_ref), goal, ok, noise))

    def lnoise(case, tag='-', exe=None, tag_b='-'):
        mb = {'case': case, 'tag': tag_b}
        mh = {'case': case, 'tag': tag}
        if exe is not None:
            mb['exe'] = mh['exe'] = exe
        return '%s / %s' % (d.spread('base', 'load', **mb), d.spread('hornet', 'load', **mh))

    # Goal 1: light skeletons.
    lsk = {}
    for c in ('lskel-counter', 'lskel-atomics'):
        b, h = d.load('base', c), d.load('hornet', c)
        ref = reference(c)
        er = ratio(None if b is None or h is None else h - b, ref)
        lsk[c] = (b, h)
        add('%s open+load+destroy' % c, b, h, er, 'ratio <= 1.05x',
            verdict(ratio(h, b), 1.05), lnoise(c))
    # Goal 2: raw loads, cost above the unsigned load vs the reference.
    map_sizes = sorted({int(r['bytes']) for r in d.series('hornet', 'load')
                        if r['case'].startswith('raw-map-') and r['tag'] == '-'})
    raw = {}
    for c, nbytes in [('raw-nomap', 0)] + [('raw-map-%d' % s, s) for s in map_sizes]:
        exe_b = d.series('base', 'load', case=c, tag='-')
        # The executable-size runs also use raw-nomap: take the signed copy's.
        exe = exe_b[0]['exe'] if exe_b else None
        b = d.load('base', c, exe=exe) if c == 'raw-nomap' else d.load('base', c)
        h = d.load('hornet', c, exe=exe) if c == 'raw-nomap' else d.load('hornet', c)
        ref = reference(c, nbytes)
        extra = None if b is None or h is None else h - b
        er = ratio(extra, ref)
        raw[nbytes] = (b, h, ref)
        add('%s (map %s) load' % (c, human(nbytes) if nbytes else 'none'), b, h, er,
            'extra <= 1.2x ref', verdict(er, 1.2),
            lnoise(c, exe=exe) if c == 'raw-nomap' else lnoise(c))
    # The same loads with success auditing off (hornet.success_audit=0).
    for c in ('lskel-counter', 'lskel-atomics', 'raw-nomap') + tuple(
            'raw-map-%d' % s for s in map_sizes):
        exe = None
        if c == 'raw-nomap':
            rs = d.series('base', 'load', case=c, tag='-')
            exe = rs[0]['exe'] if rs else None
        b, h = d.load('base', c, exe=exe), d.load('hornet', c, tag='noaudit', exe=exe)
        if h is None or b is None:
            continue
        er = ratio(h - b, reference(c, 0 if c == 'raw-nomap' else None)
                   if c in p7 else reference(c, int(c[8:])))
        if c.startswith('lskel'):
            goal, ok = 'ratio <= 1.05x', verdict(ratio(h, b), 1.05)
        else:
            goal, ok = 'extra <= 1.2x ref', verdict(er, 1.2)
        add('%s, success_audit=0' % c, b, h, er, goal, ok,
            lnoise(c, tag='noaudit', exe=exe))
    # Goal 3: executable size.
    exes = sorted({int(r['exe']) for r in d.series('hornet', 'load', case='raw-nomap')
                   if int(r['exe']) >= MIB and (int(r['exe']) & (int(r['exe']) - 1)) == 0})
    exe_t = {}
    for s in exes:
        exe_t[s] = (d.load('base', 'raw-nomap', exe=s), d.load('hornet', 'raw-nomap', exe=s))
    if MIB in exe_t and (1 << 30) in exe_t:
        hb = ratio(exe_t[1 << 30][1], exe_t[MIB][1])
        table.append(('raw-nomap, 1 GiB exe vs 1 MiB exe', ms(exe_t[1 << 30][0]),
                      ms(exe_t[1 << 30][1]), fmt_ratio(hb), '-', '1 GiB <= 1.02x 1 MiB',
                      verdict(hb, 1.02), lnoise('raw-nomap', exe=str(1 << 30))))
    g, m = (d.load('hornet', 'raw-nomap', tag='noaudit', exe=str(x)) for x in (1 << 30, MIB))
    if g is not None and m is not None:
        table.append(('raw-nomap, 1 GiB exe vs 1 MiB exe, success_audit=0', '-', ms(g),
                      fmt_ratio(ratio(g, m)), '-', '1 GiB <= 1.02x 1 MiB',
                      verdict(ratio(g, m), 1.02), '-'))
    # Goal 4: memory per check.
    mem_rows = []
    for c in ('raw-nomap', 'raw-map-64', 'raw-map-1048576', 'lskel-counter'):
        per = {}
        for boot in ('base', 'hornet'):
            rs = d.series(boot, 'mem', case=c)
            if not rs:
                continue
            r = rs[0]
            k = int(r['k'])
            s0, s1 = (int(x) for x in r['slab_kb'].split(','))
            v0, v1 = (int(x) for x in r['vmalloc_kb'].split(','))
            pk = d.med(boot, 'peak', field='peak_bytes', case=c)
            pe = d.med(boot, 'peak', field='end_bytes', case=c)
            pc = None
            if all('check_peak_bytes' in r for r in d.series(boot, 'peak', case=c)):
                pc = d.med(boot, 'peak', field='check_peak_bytes', case=c)
            per[boot] = ((s1 - s0) * KIB / k, (v1 - v0) * KIB / k, pk, pe, pc)
        if len(per) == 2:
            plen = psize(c) or psize('raw-map-64') or 0
            kept = sum(per['hornet'][:2]) - sum(per['base'][:2])
            peak = None
            if per['hornet'][2] is not None and per['base'][2] is not None:
                peak = per['hornet'][2] - per['base'][2]
            limit = plen + 64 * KIB
            worst = max(x for x in (kept, peak, per['hornet'][4]) if x is not None)
            mem_rows.append((c, per, kept, peak, plen, limit, verdict(worst, limit)))
    # Goal 5: signing on the host.
    host = {}
    for what in ('payload', 'loader'):
        se = d.med('host', 'host', label='sign-ebpf ' + what, case='sign-ebpf', file=what)
        sf = d.med('host', 'host', label='sign-file ' + what, case='sign-file', file=what)
        host[what] = (sf, se)
        if se is not None:
            table.append(('host: sign-ebpf vs sign-file (%s)' % what, ms(sf), ms(se),
                          fmt_ratio(ratio(se, sf)), '-',
                          'ratio <= 1.2x' if what == 'payload' else '',
                          verdict(ratio(se, sf), 1.2) if what == 'payload' else '',
                          '%s / %s' % (d.spread('host', 'host', case='sign-file', file=what),
                                       d.spread('host', 'host', case='sign-ebpf', file=what))))

    # ---- output ---------------------------------------------------------
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'bench.csv'), 'w', newline='') as f:
        keys = ['boot', 'kind', 'case', 'bytes', 'exe', 'tag', 'file', 'batch', 'run',
                'rep', 'n', 'k', 'ns', 'med', 'min', 'slab_kb', 'sunreclaim_kb', 'vmalloc_kb',
                'peak_bytes', 'end_bytes', 'events']
        w = csv.DictWriter(f, fieldnames=keys, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            if r['kind'] != 'error':
                w.writerow(r)

    out = []
    out.append('Times in ms per operation (median over batches of each batch\'s median); "base": the same kernel '
               'and initramfs booted with hornet left out of lsm=; "extra/ref": '
               '(hornet - base) / (one in-kernel PKCS#7 verification of the same '
               'signature + one SHA-256 pass over the signed payload and the map '
               'contents); noise: IQR/median of the batches.')
    out.append('')
    out.append('| case | base | hornet | ratio | extra/ref | goal | | noise base / hornet |')
    out.append('|---|---:|---:|---:|---:|---|---|---:|')
    for t in table:
        out.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % t)
    out.append('')
    out.append('Unavoidable work in the same VM (Hornet boot): SHA-256 %s ms per MiB '
               '(AF_ALG, the lib/crypto code Hornet uses); PKCS#7 verification '
               '(add_key("pkcs7_test") minus add_key("user") of the same payload): %s.'
               % (ms(sha_mib), ', '.join('%s %s ms' % (c, ms(v)) for c, v in p7.items())))
    if len(raw) > 2 and sha_mib:
        big = max(raw)
        b0, h0, _ = raw[min(k for k in raw if k)]
        b1, h1, _ = raw[big]
        if None not in (b0, h0, b1, h1):
            slope = ((h1 - b1) - (h0 - b0)) / ((big - min(k for k in raw if k)) / MIB)
            out.append('Hornet per MiB of map contents: %.2f ms (%.2fx one SHA-256 pass).'
                       % (slope / 1e6, slope / sha_mib))
    out.append('')
    if mem_rows:
        out.append('Kernel memory per check, bytes: kept = (slab + vmalloc after K loads '
                   'kept loaded - before) / K; peak = most bytes the loading task had '
                   'allocated during one load (kmem/vmalloc trace events), hornet - base '
                   '(extra); check peak = most bytes allocated at once by the check itself '
                   '(callers in Hornet, PKCS#7, X.509, public key, crypto, audit).')
        out.append('')
        out.append('| case | kept base | kept hornet | kept extra | peak base | peak hornet '
                   '| peak extra | check peak | limit (payload + 64 KiB) | |')
        out.append('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|')
        for c, per, kept, peak, plen, limit, ok in mem_rows:
            fmt = lambda v: '-' if v is None else '%d' % v
            out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |' % (
                c, fmt(sum(per['base'][:2])), fmt(sum(per['hornet'][:2])), fmt(kept),
                fmt(per['base'][2]), fmt(per['hornet'][2]), fmt(peak),
                fmt(per['hornet'][4]), limit, ok))
        out.append('')
    if exe_t:
        out.append('Executable size (raw-nomap load, ms): ' + ', '.join(
            '%s %s/%s' % (human(s), ms(b), ms(h)) for s, (b, h) in sorted(exe_t.items()))
            + ' (base/hornet).')
        out.append('')
    prof_cases = sorted({(r['case'], r.get('tag', '-'))
                         for r in d.series('hornet', 'profile')})
    if prof_cases:
        out.append('Where the time of Hornet\'s hooks goes (Hornet boot, function_graph '
                   'tracer on the hooks and the functions they call, depth 1 = the hook; '
                   'ms per operation, tracer overhead included):')
        out.append('')
        for c, tag in prof_cases:
            rs = [r for r in d.series('hornet', 'profile', case=c)
                  if r.get('tag', '-') == tag]
            hooks = sum(float(r['ns']) for r in rs if r['depth'] == '1')
            parts = sorted((r for r in rs if r['depth'] in ('2', '3', '4')),
                           key=lambda r: -float(r['ns']))
            shown = ['%s%s %s ms' % ('  ' * (int(r['depth']) - 2), r['fn'],
                                     ms(float(r['ns'])))
                     for r in parts if hooks and float(r['ns']) >= 0.02 * hooks][:10]
            hook_list = ', '.join('%s %s ms (%s calls)' % (r['fn'], ms(float(r['ns'])),
                                                          r['calls'])
                                  for r in rs if r['depth'] == '1')
            out.append('* %s%s: %s; inside: %s.' % (
                c, '' if tag == '-' else ', success_audit=0', hook_list, '; '.join(shown)))
        out.append('')
    worst = sorted(d.noise, key=lambda x: -x[1])
    iqrs = [n[1] for n in d.noise]
    if iqrs:
        out.append('Noise: IQR/median across batches: median %.1f%%, worst %.1f%% (%s); '
                   '(max-min)/median worst %.1f%%.' % (
                       100 * statistics.median(iqrs), 100 * worst[0][1], worst[0][0],
                       100 * max(n[2] for n in d.noise)))
    out.append('Load average (1/5/15 min): host %s before, %s before the boots, %s after; '
               'guest %s at the end of the Hornet boot; guest CPUs %s; %s batches per case.' % (
                   meta.get('host.load.start', '?'), meta.get('host.load.vm-start', '?'),
                   meta.get('host.load.vm-end', '?'), meta.get('hornet.end.loadavg', '?'),
                   meta.get('hornet.begin.cpus', '?'), meta.get('hornet.begin.batches', '?')))
    if a.elapsed:
        out.append('make bench took %d s.' % a.elapsed)
    for p in problems:
        out.append('PROBLEM: ' + p)
    for e in errors:
        out.append('ERROR: ' + e)
    text = '\n'.join(out) + '\n'
    with open(os.path.join(a.out, 'bench.md'), 'w') as f:
        f.write(text)
    sys.stdout.write(text)

    plot(a.out, d, map_sizes, raw, exe_t)
    return 1 if problems or errors else 0


def plot(outdir, d, map_sizes, raw, exe_t):
    """load-vs-map.png and load-vs-exe.png, with min/max bars."""
    def minmax(boot, **match):
        vals = [float(r[time_field(r)]) / 1e6 for r in d.series(boot, 'load', **match)]
        return (min(vals), max(vals)) if vals else (0, 0)

    with open(os.path.join(outdir, 'map.dat'), 'w') as f:
        f.write('# bytes base_ms base_min base_max hornet_ms hornet_min hornet_max ref_ms\n')
        for s in map_sizes:
            b, h, ref = raw[s]
            if b is None or h is None:
                continue
            c = 'raw-map-%d' % s
            bl, bh = minmax('base', case=c, tag='-')
            hl, hh = minmax('hornet', case=c, tag='-')
            f.write('%d %f %f %f %f %f %f %f\n' % (s, b / 1e6, bl, bh, h / 1e6, hl, hh,
                                                   (b + (ref or 0)) / 1e6))
    with open(os.path.join(outdir, 'exe.dat'), 'w') as f:
        f.write('# exe_bytes base_ms base_min base_max hornet_ms hornet_min hornet_max\n')
        for s, (b, h) in sorted(exe_t.items()):
            if b is None or h is None:
                continue
            bl, bh = minmax('base', case='raw-nomap', exe=s)
            hl, hh = minmax('hornet', case='raw-nomap', exe=s)
            f.write('%d %f %f %f %f %f %f\n' % (s, b / 1e6, bl, bh, h / 1e6, hl, hh))
    def tics(sizes):
        return 'set xtics (%s)' % ', '.join('"%s" %d' % (human(x), x) for x in sizes)

    gp = """set terminal pngcairo size 900,600 noenhanced
set logscale x 2
set grid
set key top left
set offsets graph 0.04, graph 0.04, 0, 0
set ylabel "BPF_PROG_LOAD, ms (median of batches, bars: min/max)"
set output "{o}/load-vs-map.png"
set title "Raw signed program: load time against map contents"
set xlabel "map contents"
{maptics}
set logscale y 10
plot "{o}/map.dat" using 1:2:3:4 with yerrorlines title "without Hornet", \\
     "" using 1:5:6:7 with yerrorlines title "with Hornet", \\
     "" using 1:8 with lines dashtype 2 title "without + PKCS#7 + SHA-256 of payload and map"
set output "{o}/load-vs-exe.png"
set title "Raw signed program without maps: load time against executable size (sparse)"
set xlabel "executable size"
{exetics}
unset logscale y
set yrange [0:*]
plot "{o}/exe.dat" using 1:2:3:4 with yerrorlines title "without Hornet", \\
     "" using 1:5:6:7 with yerrorlines title "with Hornet"
""".format(o=outdir, maptics=tics([x for x in map_sizes if raw.get(x)]),
           exetics=tics(sorted(exe_t)))
    with open(os.path.join(outdir, 'plots.gp'), 'w') as f:
        f.write(gp)
    try:
        r = subprocess.run(['gnuplot', os.path.join(outdir, 'plots.gp')],
                           capture_output=True, text=True)
        if r.returncode:
            print('bench-report: gnuplot failed:\n' + r.stderr, file=sys.stderr)
    except OSError as e:
        print('bench-report: gnuplot: %s' % e, file=sys.stderr)


if __name__ == '__main__':
    sys.exit(main())
