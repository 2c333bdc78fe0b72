# family: 4
# expect: OSError
# errno: 9
# The managed faulthandler writes only to the runtime's descriptors: a host descriptor number is EBADF, and
# enabling it installs nothing (the host's signal dispositions are compared before and after).
import faulthandler
faulthandler.enable(file=2)
assert faulthandler.is_enabled()
faulthandler.register(10, file=2)
assert faulthandler.disable() and not faulthandler.is_enabled()
try:
    faulthandler._note('_sigsegv', 11)
except ValueError:
    pass
else:
    raise AssertionError('_note accepted a function the emulation does not have')
for name in ('_sigsegv', '_read_null', '_fatal_error', '_stack_overflow'):
    assert not hasattr(faulthandler, name), name
faulthandler.dump_traceback(file=100)
