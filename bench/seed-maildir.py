#!/usr/bin/env python3
"""Writes the SpamAssassin corpus COPIES times into COPIES Maildir folders (Copy01, Copy02, ...) of one Dovecot user,
each copy with its own Message-ID (the original is kept as X-Original-Message-ID). Usage:
    seed-maildir.py CORPUS_DIR MAILDIR COPIES"""
import os, sys, glob, re

corpus, maildir, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(glob.glob(os.path.join(corpus, '*', '*.txt')))
mid = re.compile(rb'^message-id:', re.I)
for k in range(1, copies + 1):
    folder = os.path.join(maildir, '.Copy%02d' % k)
    for sub in ('cur', 'new', 'tmp'):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    for i, path in enumerate(files):
        data = open(path, 'rb').read()
        if data.startswith(b'From '):
            data = data[data.find(b'\n') + 1:]
        end = data.find(b'\n\n')
        head, body = (data, b'') if end < 0 else (data[:end + 1], data[end + 1:])
        lines = [b'X-Original-Message-ID:' + l[len(b'message-id:'):] if mid.match(l) else l for l in head.split(b'\n')]
        head = b'Message-ID: <bench-%d-%d@imapmail.bench>\n' % (k, i) + b'\n'.join(lines)
        name = '%d.M%dP%d.bench:2,' % (1700000000 + i, i, k)
        with open(os.path.join(folder, 'cur', name), 'wb') as out:
            out.write(head + body)
print('seeded %d messages in %d folders' % (len(files) * copies, copies))
