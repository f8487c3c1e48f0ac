// CloudFront Function (cloudfront-js-2.0), viewer request, default behaviour:
// a page path names the export's prerendered HTML. S3 has no key `verify`,
// only `verify/index.html`, so without this a mailed link
// `/verify?token=...` would be a miss; the query string is left as it is.
// infra/web/page_paths.py holds the same rule for the local proof, and
// tests/infra/test_page_paths.py runs this file to hold the two equal.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var name = uri.substring(uri.lastIndexOf("/") + 1);
  if (name === "") {
    request.uri = uri + "index.html";
  } else if (name.indexOf(".") === -1) {
    request.uri = uri + "/index.html";
  }
  return request;
}
