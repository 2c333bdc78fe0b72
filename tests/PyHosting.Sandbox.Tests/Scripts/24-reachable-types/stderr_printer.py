# family: 24
# expect: TypeError
# CPython's early standard-error printer writes to the host's descriptor 2.
printer = next(t for t in object.__subclasses__() if t.__qualname__ == 'stderrprinter')
try:
    printer.write(printer, 'x')
    raise AssertionError('the printer wrote')
except TypeError:
    pass
printer(2).write('written to the host standard error\n')
