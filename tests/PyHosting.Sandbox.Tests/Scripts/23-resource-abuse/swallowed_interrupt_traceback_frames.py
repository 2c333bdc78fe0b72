# family: 23
# expect: timeout
# Turning off line events on the frames of the interrupt's own traceback does not keep a swallowing loop alive.
def spin():
    while True:
        try:
            while True:
                try:
                    while True:
                        pass
                except BaseException as e:
                    t = e.__traceback__
                    while t is not None:
                        t.tb_frame.f_trace_lines = False
                        t = t.tb_next
        except BaseException:
            pass
while True:
    try:
        spin()
    except BaseException:
        pass
