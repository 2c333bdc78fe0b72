# family: 23
# expect: timeout
# Handlers nested in handlers and finally blocks that start the loop again cannot keep the call alive.
def spin():
    while True:
        try:
            while True:
                pass
        except BaseException:
            try:
                spin()
            finally:
                spin()
try:
    spin()
except BaseException:
    while True:
        try:
            pass
        except:
            pass
