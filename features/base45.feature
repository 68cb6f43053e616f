Feature: Base45 decoding of the QR text
  The QR text is Base45: 45 symbols (digits, uppercase letters, space and
  "$%*+-./:") read in groups of three for two bytes, with a closing pair for a
  last single byte. A decoder accepts every one of the 45 symbols anywhere and
  refuses everything else: other characters, groups worth too much, and lengths
  no encoder can produce.

  @C169-B45-004 @C169-QR-002 @must @verify @EdDSA
  Scenario Outline: A lowercase letter anywhere in the text is refused (<identity>, <where>)
    Given a credential for the "<identity>" identity
    And its text is edited with {"overwrite_text": [<at>, "b"]}
    When the implementation decodes it
    Then it is rejected at the base45 stage

    Examples:
      | identity     | where  | at |
      | minimal      | first  | 0  |
      | minimal      | middle | 30 |
      | minimal      | last   | -1 |
      | demographics | first  | 0  |
      | demographics | middle | 30 |
      | demographics | last   | -1 |
      | face         | middle | 30 |
      | large        | last   | -1 |
      | unicode      | first  | 0  |

  @C169-B45-004 @C169-QR-003 @must @verify @EdDSA
  Scenario Outline: A text written in lowercase is refused, not folded to uppercase (<identity>)
    Given a credential for the "<identity>" identity
    And its text is edited with {"lowercase": true}
    When the implementation decodes it
    Then it is rejected at the base45 stage

    Examples:
      | identity |
      | minimal  |
      | face     |

  @C169-B45-004 @must @verify @EdDSA
  Scenario Outline: A character outside the alphabet is refused (<name>)
    Given a credential
    And its text is edited with {"overwrite_text": [3, "<char>"]}
    When the implementation decodes it
    Then it is rejected at the base45 stage

    Examples:
      | name          | char    |
      | equals sign   | =       |
      | carriage ret. | \\u000d |
      | line feed     | \\u000a |
      | NUL           | \\u0000 |
      | hash          | #       |
      | e acute       | é       |
      | tab           | \\u0009 |
      | comma         | ,       |

  @C169-B45-001 @C169-QR-002 @must @verify @EdDSA
  Scenario Outline: A text in which every one of the 45 symbols occurs decodes to its credential (<vector>)
    # Each symbol must be read at its value of RFC 9285's table; one misread value breaks the zlib stream.
    Given the vector "<vector>"
    When the implementation decodes it
    Then it is accepted

    Examples:
      | vector                       |
      | claim169-field-marital-status |
      | alg-ed25519-a-face           |

  @C169-B45-008 @C169-B45-001 @must @verify @EdDSA
  Scenario Outline: A punctuation symbol is an ordinary symbol at the start of a valid text (<vector>)
    # The zlib header decides the first symbol; only these five can start a valid text.
    Given the vector "<vector>"
    When the implementation decodes it
    Then it is accepted

    Examples:
      | vector                  |
      | b45-valid-first-minus   |
      | b45-valid-first-percent |
      | b45-valid-first-slash   |
      | b45-valid-first-plus    |
      | b45-valid-first-dollar  |

  @C169-B45-008 @C169-B45-001 @must @verify @EdDSA
  Scenario Outline: A punctuation symbol and the space are ordinary symbols next to the end of a valid text (<vector>)
    # The last symbol of a valid text is never punctuation; the one before it can be any symbol.
    Given the vector "<vector>"
    When the implementation decodes it
    Then it is accepted

    Examples:
      | vector                 |
      | b45-valid-last-space   |
      | b45-valid-last-dollar  |
      | b45-valid-last-percent |
      | b45-valid-last-star    |
      | b45-valid-last-plus    |
      | b45-valid-last-minus   |
      | b45-valid-last-dot     |
      | b45-valid-last-slash   |
      | b45-valid-last-colon   |

  @C169-B45-005 @must @verify @EdDSA
  Scenario Outline: A group of three symbols worth more than 65535 is refused (<group>)
    Given a credential for the "<identity>" identity
    And its text is edited with {"overwrite_text": [0, "<group>"]}
    When the implementation decodes it
    Then it is rejected at the base45 stage

    Examples:
      | identity | group |
      | minimal  | GGW   |
      | face     | GGW   |
      | minimal  | :::   |

  @C169-B45-006 @must @verify @EdDSA
  Scenario Outline: A text whose length leaves one symbol dangling is refused (<identity>)
    Given a credential for the "<identity>" identity
    And its text is edited with {"append_text": "<extra>"}
    When the implementation decodes it
    Then it is rejected at the base45 stage

    Examples:
      | identity     | extra |
      | minimal      | 0     |
      | demographics | 00    |
      | face         | 0     |
      | unicode      | 00    |

  # The credential's text is a whole number of groups: dropping the pair leaves it valid.
  @C169-B45-007 @must @verify @EdDSA
  Scenario Outline: A closing pair worth more than 255 is refused, not truncated (<pair>)
    Given a credential
    And its text is edited with {"append_text": "<pair>"}
    When the implementation decodes it
    Then it is rejected at the base45 stage

    Examples:
      | pair |
      | V5   |
      | ::   |

  @C169-ZLIB-011 @must @verify @EdDSA
  Scenario: An empty text decodes to no bytes, which are no zlib stream
    Given a credential
    And its text is edited with {"replace_text": ""}
    When the implementation decodes it
    Then it is rejected at the zlib stage
