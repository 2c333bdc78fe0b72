# family: 6
# expect: ZeroDivisionError
# absent: root:
# A traceback through code compiled under /etc/passwd.
exec(compile('1 / 0', '/etc/passwd', 'exec'))
