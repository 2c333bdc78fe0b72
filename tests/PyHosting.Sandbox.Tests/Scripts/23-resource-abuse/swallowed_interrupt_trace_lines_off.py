# family: 23
# expect: timeout
# Turning off line and opcode events on every frame of the stack, again in every handler, does not keep a swallowing loop alive.
import sys
def off():
    f = sys._getframe(1)
    while f is not None:
        f.f_trace_lines = False
        f.f_trace_opcodes = False
        f.f_trace = None
        f = f.f_back
while True:
    try:
        while True:
            try:
                while True:
                    try:
                        off()
                        while True:
                            pass
                    except BaseException:
                        off()
            except BaseException:
                pass
    except BaseException:
        pass
