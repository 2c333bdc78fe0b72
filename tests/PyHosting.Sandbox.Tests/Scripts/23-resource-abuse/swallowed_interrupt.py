# family: 23
# expect: timeout
# A loop that swallows the interrupt is interrupted again.
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
