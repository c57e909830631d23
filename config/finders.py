"""A static-files finder for the files of npm packages the pages use, one by one.

npm packages ship far more than a page loads (ECharts 50 MB of builds, world-atlas every map
resolution); collecting and compressing them whole slowed every fresh start by minutes. This finder
exposes only the files listed in `settings.NODE_MODULES_FILES` (static path -> file in node_modules).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class NodeModulesFileFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        self.files: dict[str, Path] = {
            url: Path(settings.NODE_MODULES) / source for url, source in settings.NODE_MODULES_FILES.items()
        }

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        found = self.files.get(path)
        if found is None or not found.is_file():
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for url, source in self.files.items():
            if source.is_file():
                folder, name = url.rsplit("/", 1)
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = folder
                yield name, storage
