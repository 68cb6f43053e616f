Feature: Step library smoke test
  The harness's own check that every step of features/STEPS.md is wired.

  @C169-QR-002 @must
  Scenario: A default credential decodes and verifies
    Given a credential
    When the implementation decodes it
    Then it is accepted
    And the signature is reported verified
    And the decoded attribute "fullName" is "Minimal Person"

  @C169-COSE-009 @must @verify @ES256
  Scenario: alg only in the unprotected bucket is refused
    Given a credential for the "face" identity
    And it is signed with the "p256-a" test key
    And the encoder option "alg_placement" is "unprotected"
    When the implementation decodes it
    Then it is rejected at the cose stage

  @C169-CWT-006 @must
  Scenario Outline: Time boundaries
    Given a credential
    And its claim "exp" is <exp>
    And the validation time is 1760000000
    When the implementation decodes it
    Then it is <answer>

    Examples:
      | exp        | answer                     |
      | 1760000000 | rejected at the time stage |
      | 1760000001 | accepted                   |

  @C169-ENC-011 @must @decrypt
  Scenario: The wrong content key is refused
    Given a credential
    And it is encrypted with the "aes256-a" test key
    And the decoder is given the "aes256-b" key to decrypt
    When the implementation decodes it
    Then it is rejected at the decrypt stage

  @C169-B45-004 @must
  Scenario: A lowercase letter is refused
    Given a credential
    And its text is edited with {"overwrite_text": [0, "b"]}
    When the implementation decodes it
    Then it is rejected at the base45 stage

  @C169-CLAIM-109 @must
  Scenario: Gender as text is a type mismatch
    Given a credential
    And its claim 169 is {"4": "X", "9": "Male"}
    When the implementation decodes it
    Then either answer conforms

  @C169-QR-003 @must
  Scenario: A named vector as it is
    Given the vector "idpass-claim169-example"
    When the implementation decodes it
    Then it is accepted
    And the signature is reported not verified

  @C169-QR-001 @must @encode
  Scenario: The implementation's output passes the reference's checks
    Given a credential for the "demographics" identity
    And it is encrypted with the "aes128-a" test key
    And the encoder draws its own IV
    When the implementation encodes it
    Then the output passes the checks "base45-alphabet", "one-zlib-stream", "cose-sign1-tagged", "decrypts", "signature-verifies", "fields-equal", "fresh-iv"

  @C169-CWT-003 @must
  Scenario: Claims given whole
    Given a credential
    And its claims are {"1": "https://issuer.example", "4": 1790000000}
    And its attribute "gender" is 3
    And the decoder is given no key to verify
    When the implementation decodes it
    Then it is accepted
    And the signature is reported not verified
