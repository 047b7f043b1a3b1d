def build_order(deps):
    names = set(deps)
    for prerequisites in deps.values():
        names.update(prerequisites)
    names = sorted(names)
    done = []
    while len(done) < len(names):
        for name in names:
            if name not in done and all(p in done for p in deps.get(name, ())):
                done.append(name)
                break
        else:
            raise ValueError("dependency cycle")
    return done
