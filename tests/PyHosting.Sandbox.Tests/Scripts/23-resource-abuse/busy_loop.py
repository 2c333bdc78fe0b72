# family: 23
# expect: timeout
# while True: pass ends at the execution timeout.
while True:
    pass
