#!/usr/bin/env ruby
# frozen_string_literal: true

# c169 protocol v1 adapter for Debian's ruby-cose 1.2.0-2 (the `cose` gem 1.2.0,
# with its CBOR codec, Debian's ruby-cbor 0.5.9.6), with Ruby's Zlib and a Base45
# decoder of the adapter's own.
#
# Pipeline: Base45 (glue) -> Zlib.inflate (glue) -> CWT tag 61 taken off (glue)
# -> COSE::Sign1.deserialize (library) -> COSE::Sign1#verify with each key given
# (library) -> CBOR.decode of the payload (library codec, called by the glue) ->
# claim 169 out of the claims map (glue).
#
# Persistent stdio: one JSON request per line in, one response per line out;
# diagnostics go to stderr. README.md has the stage mapping and the gem's quirks.
#
# Crash rule: only COSE::Error (the gem's error class) and the CBOR codec's
# refusals become rejections; any other exception raised inside the gem or the
# codec (NoMethodError, TypeError, OpenSSL::PKey::PKeyError, ...) is a crash and
# is answered with an `internal` error naming it.

require "json"
require "zlib"
require "base64"
require "cbor"
require "cose"

# The gem's lib/ folder (to tell its frames in a backtrace from the codec's and the adapter's).
GEM_DIR = File.dirname(COSE::Sign1.instance_method(:verify).source_location.first, 2)

# The installed Debian package's version (adapter.toml pins it), when dpkg knows a
# ruby-cose whose upstream version is the loaded gem's; the gem's version otherwise.
def package_version
  version = IO.popen(["dpkg-query", "-W", "-f=${Version}", "ruby-cose"], err: File::NULL, &:read).to_s.strip
  version.sub(/\A\d+:/, "").start_with?("#{COSE::VERSION}-") ? version : COSE::VERSION
rescue SystemCallError
  COSE::VERSION
end

DESCRIPTION = {
  "name" => "ruby-cose",
  "version" => package_version,
  "protocol" => 1,
  "ops" => %w[describe decode],
  # The gem registers ES256/ES384/ES512 (and ES256K, PS*, HMAC) but has no EdDSA, and
  # on Debian bookworm (OpenSSL 3.0) COSE::Key::EC2#to_pkey raises
  # OpenSSL::PKey::PKeyError for every key, so COSE::Sign1#verify verifies nothing.
  # COSE::Encrypt0 has no decryption. Nothing is claimed.
  "algorithms" => { "sign" => [], "encrypt" => [] },
  # No CWT layer, so no exp/nbf check. COSE::Sign1.deserialize hands out the payload
  # without any verification: decoding unverified is the gem's ordinary use.
  "options" => { "now" => false, "leeway" => false, "unverified" => true },
  "capabilities" => []
}.freeze

# JWK curve names -> COSE curve ids (RFC 9053 §7.1), for the COSE::Key constructors.
EC2_CURVES = { "P-256" => 1, "P-384" => 2, "P-521" => 3, "secp256k1" => 8 }.freeze
OKP_CURVES = { "X25519" => 4, "X448" => 5, "Ed25519" => 6, "Ed448" => 7 }.freeze

# The CBOR codec's refusals of its input. CBOR::UnpackError (MalformedFormatError,
# StackError) and EOFError are ruby-cbor's (msgpack-derived) errors for malformed
# and truncated input; FloatDomainError and RegexpError (and TypeError, below) are
# what it raises when a tag's content cannot be converted (tag 1 -> Time, tag 35 ->
# Regexp). The gem itself lists these classes as "Malformed CBOR key input" in
# COSE::Key.cbor_decode. URI::InvalidURIError (tag 32) cannot occur: the adapter
# does not load `uri`, so tag 32 stays a CBOR::Tagged.
CBOR_REFUSALS = [CBOR::UnpackError, EOFError, FloatDomainError, RegexpError].freeze

class Unsupported < StandardError; end
class BadRequest < StandardError; end
class Internal < StandardError; end

# A rejection: stage, code, message, and who made it (library or glue).
class Rejected < StandardError
  attr_reader :stage, :code, :by

  def initialize(stage, code, message, by: "library")
    super(message)
    @stage = stage
    @code = code
    @by = by
  end

  def outcome
    answer = { "verdict" => "reject", "stage" => stage, "code" => code, "message" => message, "warnings" => [] }
    answer["by"] = by unless by == "library"
    answer
  end
end

def crashed(where, error)
  text = "#{where} raised #{error.class}: #{first_part(error.message)}"
  warn text
  (error.backtrace || []).first(12).each { |line| warn "  #{line}" }
  Internal.new(text)
end

# Ruby's error_highlight appends the source line to a NoMethodError's message.
def first_part(message)
  message.to_s.split("\n\n").first.to_s
end

def refusal(stage, error, context = "")
  stage = "limit" if error.is_a?(CBOR::StackError)
  text = error.message.to_s.empty? ? error.class.name : error.message
  origin = error.is_a?(COSE::Error) ? "ruby-cose" : "ruby-cbor"
  Rejected.new(stage, "#{origin}.#{error.class.name}", "#{context}#{text}")
end

# --- Base45 (glue: Debian has no Base45 package for Ruby) ----------------------

B45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
B45_VALUE = B45_ALPHABET.each_char.with_index.to_h.freeze

# RFC 9285 §4.2: groups of three characters make two bytes, a final pair one
# byte; a character outside the alphabet, a group above 65535 (a pair above
# 255) or a single character left over is an error.
def base45_decode(text)
  chars = text.each_char.to_a
  chars.each_with_index do |c, i|
    raise Rejected.new("base45", "glue.base45", "character #{c.inspect} at #{i} is not Base45", by: "glue") unless B45_VALUE.key?(c)
  end
  if chars.size % 3 == 1
    raise Rejected.new("base45", "glue.base45", "a single character is left over at the end", by: "glue")
  end

  out = String.new(encoding: Encoding::BINARY)
  chars.each_slice(3).with_index do |group, j|
    n = group.each_with_index.sum { |c, k| B45_VALUE[c] * (45**k) }
    limit = group.size == 3 ? 0xFFFF : 0xFF
    if n > limit
      raise Rejected.new("base45", "glue.base45", "the group at #{j * 3} is #{n}, above #{limit}", by: "glue")
    end

    out << (group.size == 3 ? [n].pack("n") : n.chr)
  end
  out
end

# --- zlib (glue: Ruby's Zlib) ---------------------------------------------------

def inflate(data)
  Zlib.inflate(data)
rescue Zlib::Error => e
  raise Rejected.new("zlib", "glue.#{e.class.name}", e.message, by: "glue")
end

# --- the CWT tag (glue: the gem has no CWT layer) --------------------------------

# The head of a CBOR item at the start of `bytes`: [major type, argument, head length],
# or nil when the head is not complete.
def cbor_head(bytes)
  first = bytes.getbyte(0) or return nil
  info = first & 0x1f
  size = { 24 => 1, 25 => 2, 26 => 4, 27 => 8 }[info]
  return [first >> 5, info, 1] if info < 24
  return nil if size.nil? || bytes.bytesize < 1 + size

  [first >> 5, bytes.byteslice(1, size).bytes.inject(0) { |n, b| (n << 8) | b }, 1 + size]
end

# RFC 8392 §6: a CWT may be wrapped in tag 61. The gem's COSE::Sign1.deserialize
# accepts no tag but 18, so the glue takes one tag 61 off the front, byte-exactly,
# and hands the rest over unchanged.
def without_cwt_tag(bytes)
  major, argument, length = cbor_head(bytes)
  return [bytes, false] unless major == 6 && argument == 61

  [bytes.byteslice(length..), true]
end

def cose_tag(bytes)
  major, argument, = cbor_head(bytes)
  major == 6 ? argument : nil
end

# --- the library calls ---------------------------------------------------------

# COSE::Sign1.deserialize: CBOR.decode of the bytes, the tag check (18 or none),
# CBOR.decode of the protected header, and the object made from the array.
def deserialize(bytes)
  COSE::Sign1.deserialize(bytes)
rescue COSE::Error => e
  raise refusal("cose", e, "COSE::Sign1.deserialize: ")
rescue *CBOR_REFUSALS, TypeError => e
  raise refusal("cose", e, "COSE::Sign1.deserialize: ") if cbor_refusal?(e, bytes)

  raise crashed("COSE::Sign1.deserialize", e)
rescue StandardError => e
  raise crashed("COSE::Sign1.deserialize", e)
end

# An error of the CBOR codec inside COSE::Sign1.deserialize is the codec refusing
# its input only when CBOR.decode was given bytes: the item itself (called from
# `deserialize`), or the protected header when that is a byte string (called from
# `deserialize_headers`). The gem hands CBOR.decode whatever stands first in the
# array; given nil it raises EOFError, given a map or an integer NoMethodError, and
# that is the gem's failure to check its input: a crash.
def cbor_refusal?(error, bytes)
  # The first frames in the gem: CBOR.decode (a C method, shown at its caller's
  # line), then the gem method that called it.
  frames = (error.backtrace_locations || []).select { |l| l.path.to_s.start_with?(GEM_DIR) }
  return false unless frames.size >= 2 && frames[0].label == "decode"

  case frames[1].label
  when "deserialize" then true
  when "deserialize_headers"
    # Only to tell the two apart: the gem got past this decode to reach the headers.
    top = CBOR.decode(bytes)
    item = top.is_a?(CBOR::Tagged) ? top.value : top
    item[0].is_a?(String)
  else false
  end
rescue StandardError
  false
end

# A COSE::Key for a JWK, through the gem's constructors. The JWK's kid becomes the
# key's kid as bytes: COSE::Sign1#verify compares it with the message's kid.
def cose_key(jwk)
  raise BadRequest, "a verify key is not a JWK object" unless jwk.is_a?(Hash)

  kid = jwk["kid"].is_a?(String) ? jwk["kid"].b : nil
  case jwk["kty"]
  when "EC"
    crv = EC2_CURVES[jwk["crv"]] or raise BadRequest, "EC curve #{jwk['crv'].inspect} has no COSE id the gem knows"
    COSE::Key::EC2.new(crv: crv, x: b64url(jwk["x"]), y: b64url(jwk["y"]), kid: kid)
  when "OKP"
    crv = OKP_CURVES[jwk["crv"]] or raise BadRequest, "OKP curve #{jwk['crv'].inspect} is unknown"
    COSE::Key::OKP.new(crv: crv, x: b64url(jwk["x"]), kid: kid)
  when "oct"
    COSE::Key::Symmetric.new(k: b64url(jwk["k"]), kid: kid)
  else
    raise BadRequest, "JWK kty #{jwk['kty'].inspect} is unknown"
  end
rescue ArgumentError => e # the constructors' refusal of missing members, and bad base64url
  raise BadRequest, "the JWK cannot be made a COSE::Key: #{e.message}"
end

def b64url(text)
  return nil if text.nil?
  raise ArgumentError, "a JWK member is not a string" unless text.is_a?(String)

  Base64.urlsafe_decode64(text)
end

# COSE::Sign1#verify with every key given (the gem takes one key a call); accepted
# when one holds. Each refusal is COSE::Error; anything else is a crash.
def verify(sign1, jwks)
  refusals = []
  jwks.each_with_index do |jwk, i|
    key = cose_key(jwk)
    begin
      return true if sign1.verify(key)
    rescue COSE::Error => e
      refusals << "key #{i}: #{e.message}"
    rescue StandardError => e
      raise crashed("COSE::Sign1#verify (key #{i})", e)
    end
  end
  raise Rejected.new("signature", "ruby-cose.COSE::Error", "COSE::Sign1#verify refused every key: #{refusals.join('; ')}")
end

# The payload's CBOR, read with the gem's codec (CBOR.decode), as a user of the gem
# reads sign1.payload. The call is the glue's; a refusal is the codec's.
def decode_payload(payload)
  unless payload.is_a?(String)
    raise Rejected.new("cose", "glue.payload_not_bytes", "the COSE_Sign1 payload is #{payload.class}, not a byte string: there are no claims to read", by: "glue")
  end

  CBOR.decode(payload)
rescue *CBOR_REFUSALS, TypeError => e # payload is a String here: a TypeError is a tag's content refused
  raise refusal("cwt", e, "CBOR.decode of the payload: ")
rescue Rejected
  raise
rescue StandardError => e
  raise crashed("CBOR.decode of the payload", e)
end

# --- canonical JSON --------------------------------------------------------------

def canonical(value, notes)
  case value
  when nil, true, false then value
  when Integer then value.abs <= 2**53 ? value : { "int" => value.to_s }
  when Float
    return { "float" => "NaN" } if value.nan?
    return { "float" => value.positive? ? "Infinity" : "-Infinity" } if value.infinite?

    { "float" => value }
  when String then canonical_string(value, notes)
  when Array then value.map { |v| canonical(v, notes) }
  when Hash
    # ruby-cbor has already collapsed duplicate keys: the last value, at the first key's place.
    if value.keys.all?(Integer)
      value.to_h { |k, v| [k.to_s, canonical(v, notes)] }
    else
      { "map" => value.map { |k, v| [canonical(k, notes), canonical(v, notes)] } }
    end
  when CBOR::Tagged then { "tag" => value.tag, "value" => canonical(value.value, notes) }
  when CBOR::Simple then value.value == 23 ? { "undefined" => true } : { "simple" => value.value }
  when Time # tag 1, turned into a Time by ruby-cbor; an integral float reads back as an integer
    seconds = value.to_r
    { "tag" => 1, "value" => seconds.denominator == 1 ? canonical(seconds.to_i, notes) : { "float" => value.to_f } }
  when Regexp then { "tag" => 35, "value" => canonical_string(value.source, notes) } # tag 35
  else
    raise Internal, "ruby-cbor decoded a value into #{value.class}, which the adapter cannot express"
  end
end

# ruby-cbor gives byte strings as BINARY and text strings as UTF-8 without checking
# that they are UTF-8. Text that is not cannot travel in JSON: it is sent with
# U+FFFD in place of the bad bytes, and a warning says so.
def canonical_string(value, notes)
  return { "bstr" => value.unpack1("H*") } if value.encoding == Encoding::BINARY

  text = value.encode(Encoding::UTF_8)
  return text if text.valid_encoding?

  notes << value.b.unpack1("H*")
  text.scrub("\uFFFD")
rescue EncodingError
  notes << value.b.unpack1("H*")
  value.b.force_encoding(Encoding::UTF_8).scrub("\uFFFD")
end

# --- decode ---------------------------------------------------------------------

def decode(request)
  qr = request["qr"]
  raise BadRequest, "qr is missing or not a string" unless qr.is_a?(String)

  keys = request["keys"] || {}
  raise BadRequest, "keys is not an object" unless keys.is_a?(Hash)

  verify_keys = keys["verify"] || []
  raise BadRequest, "keys.verify is not a list" unless verify_keys.is_a?(Array)

  data = inflate(base45_decode(qr))
  bytes, = without_cwt_tag(data)
  if [16, 96].include?(cose_tag(bytes))
    raise Unsupported, "a COSE_Encrypt0/COSE_Encrypt: the cose gem 1.2.0 reads it but cannot decrypt"
  end

  sign1 = deserialize(bytes)
  warnings = []
  verified = false
  if verify_keys.empty?
    warnings << { "flag" => "SignatureNotVerified", "message" => "no verification key: COSE::Sign1#verify was not called" }
  else
    verified = verify(sign1, verify_keys)
  end

  claims = decode_payload(sign1.payload)
  unless claims.is_a?(Hash)
    raise Rejected.new("cwt", "glue.claims_not_map", "the payload is #{claims.class}, not a map of claims", by: "glue")
  end
  unless claims.key?(169)
    raise Rejected.new("claim169", "glue.no_claim169", "the claims hold no claim 169", by: "glue")
  end

  warnings << { "flag" => "TimeNotChecked", "message" => "the cose gem has no CWT layer: exp and nbf were not checked" }
  notes = []
  claim169 = canonical(claims[169], notes)
  others = canonical(claims.reject { |k, _| k == 169 }, notes)
  notes.each do |hex|
    warnings << { "flag" => "TextNotUtf8", "message" => "ruby-cbor accepted a text string that is not UTF-8 (#{hex}); sent with U+FFFD" }
  end
  { "verdict" => "accept", "claim169" => claim169, "cwt" => others, "verified" => verified, "warnings" => warnings }
rescue Rejected => e
  e.outcome
end

# --- the loop ---------------------------------------------------------------------

def answer(line)
  begin
    request = JSON.parse(line)
    raise TypeError, "not an object" unless request.is_a?(Hash)

    rid = request.fetch("id")
    raise TypeError, "id is not a non-negative integer" unless rid.is_a?(Integer) && rid >= 0
  rescue JSON::ParserError, KeyError, TypeError, EncodingError => e
    return { "id" => nil, "error" => { "kind" => "bad_request", "message" => "unreadable request: #{e.message}" } }
  end

  begin
    case request["op"]
    when "describe" then { "id" => rid }.merge(DESCRIPTION)
    when "decode" then { "id" => rid }.merge(decode(request))
    when "encode" then raise Unsupported, "encode: COSE::Sign1 of the cose gem 1.2.0 has no way to sign"
    else raise Unsupported, "op #{request['op'].inspect} is not supported"
    end
  rescue Unsupported => e
    { "id" => rid, "error" => { "kind" => "unsupported", "message" => e.message } }
  rescue BadRequest => e
    { "id" => rid, "error" => { "kind" => "bad_request", "message" => e.message } }
  rescue Internal => e
    { "id" => rid, "error" => { "kind" => "internal", "message" => e.message } }
  rescue StandardError, SystemStackError => e # a bug here must not take the adapter down
    warn "#{e.class}: #{e.message}"
    (e.backtrace || []).first(12).each { |l| warn "  #{l}" }
    { "id" => rid, "error" => { "kind" => "internal", "message" => "#{e.class}: #{e.message}" } }
  end
end

# JSON.generate refuses strings that are not UTF-8; an error message may quote such
# bytes. They are replaced with U+FFFD (the values themselves were made UTF-8 by
# canonical_string).
def to_json_line(response)
  "#{JSON.generate(response)}\n"
rescue JSON::GeneratorError, EncodingError
  "#{JSON.generate(scrubbed(response))}\n"
end

def scrubbed(value)
  case value
  when String then value.dup.force_encoding(Encoding::UTF_8).scrub("\uFFFD")
  when Array then value.map { |v| scrubbed(v) }
  when Hash then value.to_h { |k, v| [scrubbed(k), scrubbed(v)] }
  else value
  end
end

def main
  $stdin.set_encoding(Encoding::UTF_8)
  $stdout.sync = true
  $stdin.each_line do |line|
    next if line.strip.empty?

    $stdout.write(to_json_line(answer(line)))
  end
end

main if $PROGRAM_NAME == __FILE__
