/**
 * Portuguese review fragments in the voice of the real data (short, informal, accented, sometimes with
 * quoted words). Messages are built from one to three fragments; the join sometimes is a line break, which
 * is what forces quoted fields with CRLF / LF inside them.
 */
export const TITLES_GOOD = ['Recomendo', 'Ótimo', 'Super recomendo', 'Muito bom', 'Excelente', 'Amei', 'Bom', 'Nota 10', 'Chegou rápido', 'Perfeito'];
export const TITLES_MIXED = ['Razoável', 'Bom, mas demorou', 'Mais ou menos', 'Ok'];
export const TITLES_BAD = ['Não recebi', 'Péssimo', 'Produto errado', 'Decepcionado', 'Atraso na entrega', 'Não recomendo'];

export const PHRASES_GOOD = [
  'Recebi bem antes do prazo estipulado.',
  'Produto de ótima qualidade, recomendo!',
  'Chegou tudo certinho, muito obrigada.',
  'Parabéns lojas lannister, adorei comprar pela internet: seguro e prático.',
  'Entrega rápida e produto conforme o anúncio.',
  'Muito bom, superou minhas expectativas.',
  'Vendedor confiável, comprarei novamente.',
  'O produto é lindo e veio bem embalado.',
  'Ótimo custo-benefício.',
  'Tudo perfeito, estou satisfeita.',
  'Excelente atendimento e entrega no prazo.',
];

export const PHRASES_MIXED = [
  'O produto é bom, mas a entrega demorou um pouco.',
  'Veio conforme o esperado, nada demais.',
  'A cor é diferente da foto.',
  'Produto razoável pelo preço.',
  'A embalagem chegou amassada, mas o produto está ok.',
];

export const PHRASES_BAD = [
  'Não recebi o produto até agora.',
  'O produto veio com defeito e ninguém responde.',
  'Comprei dois itens e só recebi um.',
  'Péssimo atendimento, não recomendo.',
  'Produto diferente do anunciado.',
  'Já passou do prazo e nada de entrega.',
  'Quero meu dinheiro de volta.',
  'A nota fiscal veio errada.',
];

/** Fragments with double quotes inside: escaped as "" in the file, a classic CSV trap. */
export const PHRASES_QUOTED = [
  'Veio escrito "original" na caixa, mas parece réplica.',
  'O vendedor disse "chega amanhã" e demorou uma semana.',
  'Produto "top", recomendo.',
  'Na descrição dizia "100% algodão", não é.',
];
