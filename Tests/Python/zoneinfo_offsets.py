"""Python's zoneinfo offsets for random instants in every zone of a compiled tz database.

    python zoneinfo_offsets.py DIRECTORY SEED PER_ZONE

Each zone is read with `ZoneInfo.from_file` from DIRECTORY itself, never from TZPATH or the
`tzdata` package, so Python reads exactly the files swiftbeat reads. Prints one line per instant:
zone, UTC seconds, offset seconds (tab-separated). Instants are random in 1900-2400, with a
quarter of them in the years after 2037, where fat files stop listing transitions and the POSIX
footer takes over.

`zones(DIRECTORY)` is the list of zones (crontab_cases.py imports it), and
`python zoneinfo_offsets.py DIRECTORY --zones` prints it, one a line.
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def zones(directory):
    """Every zone in DIRECTORY: (name, ZoneInfo read from its file), sorted by name."""
    found = []
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(f for f in folders if f not in ("posix", "right"))
        for name in sorted(files):
            path = os.path.join(root, name)
            zone = os.path.relpath(path, directory)
            if zone in ("posixrules", "localtime", "Factory") or not name[0].isupper() or "." in name:
                continue
            with open(path, "rb") as file:
                if file.read(4) != b"TZif":
                    continue
                file.seek(0)
                found.append((zone, ZoneInfo.from_file(file, key=zone)))
    return found


def main():
    directory = sys.argv[1]
    if sys.argv[2] == "--zones":
        sys.stdout.write("".join(f"{zone}\n" for zone, _ in zones(directory)))
        return
    seed, per_zone = int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    low, high = int((datetime(1900, 1, 1, tzinfo=timezone.utc) - epoch).total_seconds()), int(
        (datetime(2400, 1, 1, tzinfo=timezone.utc) - epoch).total_seconds())
    after_2037 = int((datetime(2037, 1, 1, tzinfo=timezone.utc) - epoch).total_seconds())

    out = []
    for zone, tz in zones(directory):
        instants = [rng.randint(low, high) for _ in range(per_zone - per_zone // 4)]
        instants += [rng.randint(after_2037, after_2037 + 40 * 366 * 86400) for _ in range(per_zone // 4)]
        for seconds in instants:
            offset = (epoch + timedelta(seconds=seconds)).astimezone(tz).utcoffset()
            out.append(f"{zone}\t{seconds}\t{int(offset.total_seconds())}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
