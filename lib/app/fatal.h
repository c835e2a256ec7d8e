/*
 * fatal: a worker that dies says so before it goes, in the log's own
 * format ("masked[PID] error PROGRAM: fatal signal 11 (Segmentation
 * fault)"), so that a crash is seen whichever server runs the program (some
 * say nothing, or only that a process went).
 */
#ifndef FATAL_H
#define FATAL_H

/*
 * Installs the handlers of SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT,
 * which write the line to the log's descriptor (log_fileno()) and then let
 * the signal end the process as it would have. program is copied. Call
 * once, from the main thread, after the log is set up. Sanitizer builds
 * keep the sanitizer's own handler, whose report says more: there it does
 * nothing.
 */
void	fatal_setup(const char *program);

#endif
