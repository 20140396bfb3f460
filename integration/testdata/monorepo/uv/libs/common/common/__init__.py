import itsdangerous


def greeting(member):
    # itsdangerous is the library's own dependency, in both members' closures.
    return f"Hello from {member}, with common {itsdangerous.__name__}"
