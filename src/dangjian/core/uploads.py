"""Uploads are bounded while they arrive: `BoundedUploadHandler` stops reading a file part as
soon as the request declares, or turns out to carry, more than settings.UPLOAD_MAX_BYTES.
The rest of the body is read and dropped (never written to disk or memory), the request is
marked with `upload_too_large` (the size seen), and the view answers with the size message
at the file field. Content checks (is it really a workbook?) follow in the importer."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


def upload_limit() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", settings.IMPORT_MAX_BYTES)


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: refuses before Django's own handlers store anything."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length or 0
        self.received = 0
        return None  # the normal multipart parsing goes on

    def _refuse(self, size: int):
        if self.request is not None:
            self.request.upload_too_large = size
        raise StopUpload(connection_reset=False)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        # the multipart envelope adds a little: allow 64 KB beyond the limit for it
        if getattr(self, "declared", 0) > upload_limit() + 64 * 1024:
            self._refuse(self.declared)

    def receive_data_chunk(self, raw_data, start):
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > upload_limit():
            self._refuse(self.received)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file
