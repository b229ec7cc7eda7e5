#include "plugins/common/aws/s3_client.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace sluice::common {

namespace {

void Digest(const EVP_MD* md, std::string_view data, unsigned char* out, unsigned* len) {
  EVP_Digest(data.data(), data.size(), out, len, md, nullptr);
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  Digest(EVP_sha256(), data, out, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xF];
  }
  return hex;
}

std::string Md5Base64(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  Digest(EVP_md5(), data, out, &len);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, out, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

bool S3Result::setup_error() const {
  return status == 401 || status == 403 || code == "NoSuchBucket" || code == "InvalidAccessKeyId" ||
         code == "SignatureDoesNotMatch" || code == "AccessDenied" ||
         code == "AuthorizationHeaderMalformed";
}

std::string S3Result::ToString() const {
  if (status == 0) return message;
  if (code.empty()) return fmt::format("HTTP {}", status);
  return fmt::format("HTTP {} {}: {}", status, code, message);
}

S3Client::S3Client(S3ClientOptions options, AwsCredentialsChain* credentials)
    : options_(std::move(options)), credentials_(credentials), http_(options_.http) {
  std::string endpoint = options_.endpoint;
  if (endpoint.empty()) endpoint = fmt::format("https://s3.{}.amazonaws.com", options_.region);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (options_.force_path_style) {
    base_ = endpoint + "/" + options_.bucket;
  } else {
    size_t scheme = endpoint.find("://");
    size_t host = scheme == std::string::npos ? 0 : scheme + 3;
    base_ = endpoint.substr(0, host) + options_.bucket + "." + endpoint.substr(host);
  }
}

std::string S3Client::Describe(const std::string& key) const {
  return fmt::format("s3://{}/{}", options_.bucket, key);
}

std::string S3Client::Url(const std::string& key, const std::string& query) const {
  std::string url = base_ + "/" + UriEncode(key, /*keep_slash=*/true);
  if (!query.empty()) url += "?" + query;
  return url;
}

S3Result S3Client::Call(const std::string& method, const std::string& key, const std::string& query,
                        std::string_view body, std::vector<std::string> headers,
                        std::string* out_body, std::string* out_etag) {
  S3Result result;
  auto creds = credentials_->Get();
  if (!creds.ok()) {
    result.message = creds.status().message();
    result.code = "NoCredentials";
    result.status = 0;
    return result;
  }
  const AwsCredentials& c = creds.value();
  HttpRequest request;
  request.method = method;
  request.url = Url(key, query);
  request.body = body;
  request.sigv4 = fmt::format("aws:amz:{}:s3", options_.region);
  request.credentials = c.access_key_id + ":" + c.secret_access_key;
  headers.push_back("x-amz-content-sha256: " + Sha256Hex(body));
  if (!c.session_token.empty()) headers.push_back("x-amz-security-token: " + c.session_token);
  if (method == "PUT" || method == "POST") headers.push_back("Content-MD5: " + Md5Base64(body));
  request.headers = std::move(headers);
  HttpResponse r = http_.Send(request);
  result.status = r.status;
  result.seconds = r.seconds;
  if (r.status == 0) {
    result.message = r.error;
    return result;
  }
  if (!result.ok()) {
    result.code = XmlTag(r.body, "Code").value_or("");
    result.message = XmlTag(r.body, "Message").value_or(r.body.substr(0, 200));
    if (result.code.empty() && r.status == 404) result.code = "NotFound";
    return result;
  }
  if (out_etag != nullptr) *out_etag = r.headers["etag"];
  if (out_body != nullptr) *out_body = std::move(r.body);
  return result;
}

S3Result S3Client::PutObject(const std::string& key, std::string_view body,
                             const std::vector<std::string>& headers) {
  return Call("PUT", key, "", body, headers, nullptr, nullptr);
}

S3Result S3Client::CreateMultipartUpload(const std::string& key,
                                         const std::vector<std::string>& headers,
                                         std::string* upload_id) {
  std::string body;
  S3Result r = Call("POST", key, "uploads=", "", headers, &body, nullptr);
  if (r.ok()) {
    *upload_id = XmlTag(body, "UploadId").value_or("");
    if (upload_id->empty()) {
      r.status = 500;
      r.code = "NoUploadId";
      r.message = "CreateMultipartUpload answered without an UploadId";
    }
  }
  return r;
}

S3Result S3Client::UploadPart(const std::string& key, const std::string& upload_id, int part_number,
                              std::string_view body, std::string* etag) {
  std::string query =
      fmt::format("partNumber={}&uploadId={}", part_number, UriEncode(upload_id, false));
  return Call("PUT", key, query, body, {}, nullptr, etag);
}

S3Result S3Client::CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                           const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, etags[i]);
  }
  xml += "</CompleteMultipartUpload>";
  std::string body;
  S3Result r = Call("POST", key, "uploadId=" + UriEncode(upload_id, false), xml,
                    {"Content-Type: application/xml"}, &body, nullptr);
  // S3 may answer 200 with an <Error> body when the completion failed late.
  if (r.ok() && body.find("<Error>") != std::string::npos) {
    r.status = 500;
    r.code = XmlTag(body, "Code").value_or("InternalError");
    r.message = XmlTag(body, "Message").value_or("");
  }
  return r;
}

S3Result S3Client::AbortMultipartUpload(const std::string& key, const std::string& upload_id) {
  return Call("DELETE", key, "uploadId=" + UriEncode(upload_id, false), "", {}, nullptr, nullptr);
}

S3Result S3Client::GetObject(const std::string& key, std::string* body) {
  return Call("GET", key, "", "", {}, body, nullptr);
}

S3Result S3Client::HeadBucket() { return Call("HEAD", "", "", "", {}, nullptr, nullptr); }

bool S3Listing::Parse(std::string_view xml, S3Listing* out) {
  *out = S3Listing();
  if (xml.find("<ListBucketResult") == std::string_view::npos) return false;
  for (size_t at = xml.find("<Contents>"); at != std::string_view::npos;
       at = xml.find("<Contents>", at)) {
    const size_t end = xml.find("</Contents>", at);
    if (end == std::string_view::npos) return false;
    const std::string_view block = xml.substr(at, end - at);
    S3ObjectInfo o;
    o.key = XmlTag(block, "Key").value_or("");
    const std::string size = XmlTag(block, "Size").value_or("0");
    o.size = std::strtoull(size.c_str(), nullptr, 10);
    o.etag = XmlTag(block, "ETag").value_or("");
    o.last_modified = XmlTag(block, "LastModified").value_or("");
    if (o.key.empty()) return false;
    out->objects.push_back(std::move(o));
    at = end;
  }
  out->truncated = XmlTag(xml, "IsTruncated").value_or("false") == "true";
  out->next_token = XmlTag(xml, "NextContinuationToken").value_or("");
  return !out->truncated || !out->next_token.empty();
}

S3Result S3Client::ListObjects(const std::string& prefix, const std::string& continuation,
                               S3Listing* out) {
  std::string query;  // in sorted order, as SigV4 signs it
  if (!continuation.empty()) query = "continuation-token=" + UriEncode(continuation, false) + "&";
  query += "list-type=2&prefix=" + UriEncode(prefix, false);
  std::string body;
  S3Result r = Call("GET", "", query, "", {}, &body, nullptr);
  if (r.ok() && !S3Listing::Parse(body, out)) {
    r.status = 500;
    r.code = "BadListing";
    r.message = "ListObjectsV2 answered with no ListBucketResult: " + body.substr(0, 200);
  }
  return r;
}

}  // namespace sluice::common
