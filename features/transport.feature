Feature: The QR text and the order of the decoding stages
  A Claim 169 QR code holds nothing but Base45 text. A verifier reads that text
  exactly as scanned and runs the issuer's stages backwards: Base45, zlib, COSE
  (decryption first, then the signature), the CWT claims, and finally the identity
  under claim 169. It stops at the first stage that fails, and then hands back no
  identity data at all.

  @C169-QR-002 @must @verify @EdDSA
  Scenario Outline: A signed credential decodes back to the identity it was made from (<identity>)
    Given a credential for the "<identity>" identity
    And its claims are "full"
    When the implementation decodes it
    Then it is accepted
    And the signature is reported verified

    Examples:
      | identity       |
      | minimal        |
      | empty          |
      | demographics   |
      | unicode        |
      | face           |
      | fingerprints   |
      | all-biometrics |
      | large          |

  @C169-QR-003 @C169-B45-008 @must @verify @EdDSA
  Scenario Outline: Spaces inside the text are Base45 symbols and are kept (<identity>)
    Given a credential for the "<identity>" identity
    When the implementation decodes it
    Then it is accepted

    Examples:
      | identity       |
      | demographics   |
      | large          |
      | all-biometrics |

  @C169-QR-003 @C169-B45-004 @must @verify @EdDSA
  Scenario: A line ending left after the text by the reader is not trimmed away
    Given a credential
    And its text is edited with {"append_text": "\u000d\u000a"}
    When the implementation decodes it
    Then it is rejected at the base45 stage

  # Trimmed, the text is the intact credential; kept, one symbol dangles.
  @C169-QR-003 @C169-B45-006 @must @verify @EdDSA
  Scenario: A space added in front of the text is not trimmed away
    Given a credential
    And its text is edited with {"prepend_text": " "}
    When the implementation decodes it
    Then it is rejected at the base45 stage

  # Four symbols in front leave one dangling: only a decoder that strips the prefix accepts.
  @C169-B45-006 @C169-QR-005 @C169-B45-004 @must @verify @EdDSA
  Scenario: A context prefix such as "HC1:" is not part of a Claim 169 text
    Given a credential
    And its text is edited with {"prepend_text": "HC1:"}
    When the implementation decodes it
    Then it is rejected at the base45 stage

  @C169-QR-002 @must @verify @EdDSA
  Scenario: A broken Base45 text stops decoding before the expired claims are looked at
    Given a credential
    And its claim "exp" is 1759999999
    And its text is edited with {"overwrite_text": [0, "b"]}
    When the implementation decodes it
    Then it is rejected at the base45 stage

  @C169-QR-002 @C169-COSE-013 @must @verify @EdDSA
  Scenario: The signature is checked before the validity period
    Given a credential
    And its claim "exp" is 1759999999
    And its signature is edited with {"xor": [0, 128]}
    When the implementation decodes it
    Then it is rejected at the signature stage

  @C169-QR-002 @C169-ENC-011 @must @verify @decrypt @EdDSA @A256GCM
  Scenario: Decryption comes before the signature check
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the decoder is given the "aes256-b" key to decrypt
    When the implementation decodes it
    Then it is rejected at the decrypt stage

  @C169-QR-002 @C169-CWT-006 @must @verify @decrypt @EdDSA @A128GCM
  Scenario: An expiry hidden inside an encrypted credential is found after decryption
    Given a credential
    And it is encrypted with the "aes128-a" test key
    And its claim "exp" is 1760000000
    When the implementation decodes it
    Then it is rejected at the time stage

  @C169-QR-008 @C169-COSE-013 @must @verify @EdDSA
  Scenario: A payload altered after signing yields no identity data
    Given a credential for the "demographics" identity
    And its signed payload is edited with {"xor": [-1, 1]}
    When the implementation decodes it
    Then it is rejected at the signature stage

  @C169-QR-008 @C169-CLAIM-004 @must @verify @EdDSA
  Scenario: A claim 169 map that fails late yields none of its earlier attributes
    Given a credential
    And its claim 169 is {"map": [[4, "a"], [7, "x"], [4, "b"]]}
    When the implementation decodes it
    Then it is rejected at the claim169 stage

  @C169-QR-006 @C169-SEC-001 @observed @decode_unverified
  Scenario: A decoder that reads without verifying says the signature was not verified
    Given a credential
    And it is signed with the "none" test key
    And the encoder option "alg_value" is -8
    And the decoder is given no key to verify
    When the implementation decodes it
    Then it is accepted
    And the signature is reported not verified

  @C169-QR-002 @C169-QR-003 @must @decode_unverified
  Scenario Outline: A credential of the idpass corpus decodes (<vector>)
    Given the vector "<vector>"
    When the implementation decodes it
    Then it is accepted

    Examples:
      | vector                     |
      | idpass-claim169-example    |
      | idpass-minimal             |
      | idpass-demographics-full   |
      | idpass-refugee-identity    |
      | idpass-with-face           |
      | idpass-with-fingerprints   |
      | idpass-with-all-biometrics |

  @C169-QR-002 @must
  Scenario Outline: A broken credential of the idpass corpus is refused at its stage (<vector>)
    Given the vector "<vector>"
    When the implementation decodes it
    Then it is rejected at the <stage> stage

    Examples:
      | vector               | stage    |
      | idpass-bad-base45    | base45   |
      | idpass-bad-zlib      | zlib     |
      | idpass-not-cose      | cose     |
      | idpass-expired       | time     |
      | idpass-not-yet-valid | time     |
      | idpass-missing-169   | claim169 |

  @C169-QR-002 @C169-COSE-005 @C169-CLAIM-001 @must @decode_unverified
  Scenario Outline: The specification's worked example may be read or refused (<vector>)
    Given the vector "<vector>"
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | vector                    |
      | spec-worked-example       |
      | spec-worked-example-tag61 |
