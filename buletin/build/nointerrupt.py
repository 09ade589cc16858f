"""Imported first by the worker server (Python's fork server), before the libraries it loads for every worker.

Ctrl-C in a terminal reaches every process of the build, and the build alone answers it: it stops, says so, and
leaves the output folder as it was, and its workers end with it. The fork server ignores Ctrl-C itself only once
its imports are done, so a Ctrl-C while it loaded matplotlib printed a traceback. Never import this module in the
build's own process: Ctrl-C would no longer stop it.
"""
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
