# family: 9
# expect: ModuleNotFoundError
# spwd reads /etc/shadow; pwd and grp are the runtime's own emulation, which never reads /etc/passwd or /etc/group.
import grp, os, pwd
assert [e.pw_name for e in pwd.getpwall()] == ['root', 'python'], pwd.getpwall()
assert [g.gr_name for g in grp.getgrall()] == ['root', 'python'], grp.getgrall()
assert pwd.getpwuid(os.getuid()).pw_name == 'python'
for lookup in (lambda: pwd.getpwnam('daemon'), lambda: pwd.getpwnam('nobody'), lambda: pwd.getpwuid(65534),
               lambda: grp.getgrnam('shadow'), lambda: grp.getgrgid(42)):
    try:
        lookup()
        raise AssertionError('a host account was found')
    except KeyError:
        pass
import spwd
